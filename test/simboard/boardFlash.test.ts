import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { enterRaw, rawExec, startBoardRig, type BoardRig } from './boardHarness';

const FLASH_BYTES = 64 * 1024;
const BLOCK_BYTES = 4096;

let rig: BoardRig;
before(async () => {
  rig = await startBoardRig({ flashBytes: FLASH_BYTES });
  await rig.until('>>> ', 'banner');
  await enterRaw(rig);
});
after(() => rig.stop());

test('os.uname() answers like a GPy on 1.20.2.r6, cwd is /flash, u-names are aliases', async () => {
  const { stdout, stderr } = await rawExec(rig, 'import os, uos, uhashlib, ubinascii\nprint(os.uname())\nprint(uos.getcwd(), uos.uname().machine)');
  assert.equal(stderr, '');
  assert.equal(
    stdout,
    "(sysname='GPy', nodename='GPy', release='1.20.2.r6', version='v1.11-c5a0a97 on 2021-10-28', machine='GPy with ESP32')\r\n" +
      '/flash GPy with ESP32\r\n',
  );
});

test('a file written by raw-REPL exec (base64 chunks) reads back byte for byte, and uhashlib agrees', async () => {
  const data = randomBytes(3000);
  data[0] = 0; // NUL, CR, LF and 0xFF survive the trip
  data[1] = 0x0d;
  data[2] = 0x0a;
  data[3] = 0xff;
  await rawExec(rig, "f = open('blob.bin', 'wb')");
  for (let at = 0; at < data.length; at += 600) {
    const b64 = data.subarray(at, at + 600).toString('base64');
    const { stderr } = await rawExec(rig, `f.write(ubinascii.a2b_base64('${b64}'))`);
    assert.equal(stderr, '');
  }
  await rawExec(rig, 'f.close()');
  const { stdout } = await rawExec(
    rig,
    "import uhashlib, ubinascii, os\nd = open('blob.bin', 'rb').read()\nprint(len(d), os.stat('blob.bin')[6])\nprint(ubinascii.hexlify(uhashlib.sha256(d).digest()))\nprint(ubinascii.b2a_base64(d))",
  );
  const [sizes, hash, b64] = stdout.split('\r\n');
  assert.equal(sizes, `${data.length} ${data.length}`);
  assert.equal(hash, `b'${createHash('sha256').update(data).digest('hex')}'`);
  assert.equal(Buffer.from(b64!.slice(2, -1).replace(/\\n$/, ''), 'base64').toString('hex'), data.toString('hex'));
  // The same bytes, straight from the board's file system.
  assert.deepEqual(Buffer.from(await rig.board.readFile('blob.bin')), data);
});

test('os.statvfs reports the configured /flash and free space shrinks by whole blocks', async () => {
  const free = async () => {
    const { stdout } = await rawExec(rig, "import os\ns = os.statvfs('/flash')\nprint(s[0], s[2], s[3])");
    return stdout.trim().split(' ').map(Number);
  };
  const [bsize, blocks, freeBefore] = await free();
  assert.equal(bsize, BLOCK_BYTES);
  assert.equal(blocks, FLASH_BYTES / BLOCK_BYTES);
  await rawExec(rig, "f = open('five.bin', 'wb')\nf.write(bytes(4097))\nf.close()");
  const [, , freeAfter] = await free();
  assert.equal(freeBefore! - freeAfter!, 2);
});

test('writing beyond the free space raises OSError 28 ENOSPC and keeps what fit', async () => {
  const { stdout: freeText } = await rawExec(rig, "import os\nprint(os.statvfs('/flash')[3])");
  const freeBlocks = Number(freeText.trim());
  const { stderr } = await rawExec(
    rig,
    `f = open('huge.bin', 'wb')\ntry:\n    f.write(bytes(${(freeBlocks + 3) * BLOCK_BYTES}))\nfinally:\n    f.close()`,
  );
  assert.match(stderr, /OSError: \[Errno 28\] ENOSPC\r\n$/);
  assert.doesNotMatch(stderr, /_sim/, 'the simulator frames stay hidden');
  const { stdout } = await rawExec(rig, "import os\nprint(os.stat('huge.bin')[6], os.statvfs('/flash')[3])");
  assert.equal(stdout, `${freeBlocks * BLOCK_BYTES} 0\r\n`);
  const { stdout: caught } = await rawExec(rig, "try:\n    open('more.bin', 'wb').write(b'x')\nexcept OSError as e:\n    print(e.args[0])");
  assert.equal(caught, '28\r\n');
  await rawExec(rig, "import os\nos.remove('huge.bin')\nos.remove('more.bin')");
});

test('/flash survives a soft reboot; globals do not', async () => {
  await rawExec(rig, "keep = 1\nopen('persist.txt', 'w').write('still here')");
  await rig.send('\x04');
  await rig.until('raw REPL; CTRL-B to exit\r\n>');
  const { stdout, stderr } = await rawExec(rig, "print(open('persist.txt').read())\nprint(keep)");
  assert.equal(stdout, 'still here\r\n');
  assert.match(stderr, /NameError/);
});

test('micropython.kbd_intr(-1) makes Ctrl-C plain data for the running code', async () => {
  // Like a real client, wait until the board says Ctrl-C is off before sending binary.
  await rig.send("import micropython, sys\nmicropython.kbd_intr(-1)\nprint('ready')\nprint(sys.stdin.buffer.read(3))\x04");
  assert.equal(await rig.until('ready\r\n'), 'OKready\r\n');
  await rig.send('a\x03b');
  assert.equal(await rig.until('\x04'), "b'a\\x03b'\r\n\x04");
  assert.equal(await rig.until('\x04>'), '\x04>');
});
