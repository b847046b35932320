import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors';
import { isPackagePath, openFirmwarePackage } from '../../src/core/package/firmwarePackage';
import { unsafeEntryName } from '../../src/core/package/zipPackage';
import { makeZip } from '../support/zipWriter';

const dir = mkdtempSync(join(tmpdir(), 'firmware-package-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A fresh folder for one test's zip and its own temporary root, so cleanup can be checked. */
function place(): { root: string; temp: string } {
  const root = join(dir, `case-${++count}`);
  const temp = join(root, 'tmp');
  mkdirSync(temp, { recursive: true });
  return { root, temp };
}

const FULL = 'full image bytes '.repeat(40);
const DIFF = 'diff bytes '.repeat(30);
const ELF = '\x7fELF updater';

test('a zip: .dup and .elf entries are extracted into a temporary folder, the rest is listed as ignored, dispose() removes it', async () => {
  const { root, temp } = place();
  const zip = join(root, 'CATM1-41065.zip');
  writeFileSync(
    zip,
    makeZip([
      { name: 'CATM1-41065/' },
      { name: 'CATM1-41065/CATM1-41065.dup', data: FULL, deflate: true },
      { name: 'CATM1-41065/upgdiff_38638-to-41065.dup', data: DIFF },
      { name: 'CATM1-41065/updater.elf', data: ELF, deflate: true },
      { name: 'CATM1-41065/README.txt', data: 'read me' },
      { name: '__MACOSX/CATM1-41065/._CATM1-41065.dup', data: 'resource fork' },
    ]),
  );
  assert.equal(await isPackagePath(zip), true);
  const pkg = await openFirmwarePackage(zip, { tempRoot: temp });
  assert.equal(pkg.kind, 'zip');
  assert.deepEqual(
    pkg.files.map((f) => [f.name, f.size, f.inPackage]),
    [
      ['CATM1-41065.dup', FULL.length, 'CATM1-41065/CATM1-41065.dup'],
      ['upgdiff_38638-to-41065.dup', DIFF.length, 'CATM1-41065/upgdiff_38638-to-41065.dup'],
      ['updater.elf', ELF.length, 'CATM1-41065/updater.elf'],
    ],
  );
  assert.equal(readFileSync(pkg.files[0]!.path, 'utf8'), FULL);
  assert.equal(readFileSync(pkg.files[2]!.path, 'latin1'), ELF);
  assert.ok(pkg.files.every((f) => f.path.startsWith(temp)), 'extracted only under our temporary folder');
  assert.deepEqual(pkg.ignored.map((i) => i.name).sort(), ['CATM1-41065/README.txt', '__MACOSX/CATM1-41065/._CATM1-41065.dup']);
  await pkg.dispose();
  assert.deepEqual(readdirSync(temp), [], 'the temporary folder is gone');
  await pkg.dispose();
});

test('a folder: the extracted package is searched two levels down; deeper folders are named, not searched', async () => {
  const { root } = place();
  const folder = join(root, 'download');
  mkdirSync(join(folder, 'CATM1-41065', 'extra', 'deeper'), { recursive: true });
  writeFileSync(join(folder, 'notes.txt'), 'notes');
  writeFileSync(join(folder, 'CATM1-41065', 'CATM1-41065.dup'), FULL);
  writeFileSync(join(folder, 'CATM1-41065', 'updater.elf'), ELF);
  writeFileSync(join(folder, 'CATM1-41065', 'extra', 'upgdiff_38638-to-41065.dup'), DIFF);
  writeFileSync(join(folder, 'CATM1-41065', 'extra', 'deeper', 'upgdiff_33080-to-41065.dup'), DIFF);
  assert.equal(await isPackagePath(folder), true);
  const pkg = await openFirmwarePackage(folder);
  assert.equal(pkg.kind, 'folder');
  assert.deepEqual(pkg.files.map((f) => f.inPackage), ['CATM1-41065/CATM1-41065.dup', 'CATM1-41065/extra/upgdiff_38638-to-41065.dup', 'CATM1-41065/updater.elf']);
  assert.deepEqual(pkg.files.map((f) => f.path), pkg.files.map((f) => join(folder, ...f.inPackage.split('/'))), 'used where they are');
  assert.deepEqual(pkg.ignored.map((i) => i.name), ['CATM1-41065/extra/deeper/', 'notes.txt']);
  await pkg.dispose();
  assert.ok(existsSync(join(folder, 'CATM1-41065', 'CATM1-41065.dup')), "the user's folder is left alone");
});

test('loose files are listed as given; a package among loose files is refused', async () => {
  const { root } = place();
  const full = join(root, 'CATM1-41065.dup');
  const updater = join(root, 'updater.elf');
  writeFileSync(full, FULL);
  writeFileSync(updater, ELF);
  assert.equal(await isPackagePath(full), false);
  const pkg = await openFirmwarePackage([full, updater]);
  assert.equal(pkg.kind, 'files');
  assert.deepEqual(pkg.files.map((f) => [f.name, f.path]), [['CATM1-41065.dup', full], ['updater.elf', updater]]);
  await assert.rejects(openFirmwarePackage([full, join(root, 'CATM1-41065.zip')]), /give it alone/);
  await assert.rejects(openFirmwarePackage([join(root, 'missing.dup')]), /no such file/);
});

const refusedZips: { title: string; entries: Parameters<typeof makeZip>[0]; message: RegExp }[] = [
  { title: 'zip-slip (..)', entries: [{ name: 'CATM1-41065.dup', data: FULL }, { name: '../../evil.dup', data: 'x' }], message: /"\.\.\/\.\.\/evil\.dup" is .*refuses to extract/ },
  { title: 'zip-slip inside a folder', entries: [{ name: 'pkg/../../evil.elf', data: 'x' }], message: /refuses to extract/ },
  { title: 'an absolute path', entries: [{ name: '/etc/evil.dup', data: 'x' }], message: /"\/etc\/evil\.dup" is an absolute path/ },
  { title: 'a drive letter', entries: [{ name: 'C:/evil.dup', data: 'x' }], message: /refuses to extract/ },
  { title: 'a backslash climb', entries: [{ name: '..\\evil.dup', data: 'x' }], message: /refuses to extract/ },
  { title: 'a huge entry', entries: [{ name: 'CATM1-41065.dup', data: FULL, deflate: true, declaredSize: 65 * 1024 * 1024 }], message: /would be 65 MiB unpacked.*64 MiB is refused/ },
  {
    title: 'an encrypted entry',
    entries: [{ name: 'CATM1-41065.dup', data: FULL, encrypted: true }],
    message: /encrypted \(password-protected/,
  },
  { title: 'the same entry twice', entries: [{ name: 'CATM1-41065.dup', data: FULL }, { name: 'catm1-41065.dup', data: FULL }], message: /catm1-41065\.dup is in it twice/ },
  { title: 'an entry whose real size exceeds its declared one', entries: [{ name: 'CATM1-41065.dup', data: FULL, deflate: true, declaredSize: 10 }], message: /cannot be used/ },
];

for (const { title, entries, message } of refusedZips) {
  test(`a zip with ${title} is refused and leaves nothing behind`, async () => {
    const { root, temp } = place();
    const zip = join(root, 'package.zip');
    writeFileSync(zip, makeZip(entries));
    const error = await openFirmwarePackage(zip, { tempRoot: temp }).then(
      () => assert.fail('should refuse'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, message);
    assert.ok(error.action.length > 0);
    assert.deepEqual(readdirSync(temp), [], 'no temporary folder left');
  });
}

test('the encrypted refusal says how to go on', async () => {
  const { root, temp } = place();
  const zip = join(root, 'CATM1-41065.zip');
  writeFileSync(zip, makeZip([{ name: 'updater.elf', data: ELF, encrypted: true }]));
  await assert.rejects(openFirmwarePackage(zip, { tempRoot: temp }), (error: UsageError) => {
    assert.match(error.message, /CATM1-41065\.zip is encrypted/);
    assert.match(error.action, /password from Pycom's download page.*choose the extracted folder/);
    return true;
  });
});

test('too many bytes in all is refused before anything is written', async () => {
  const { root, temp } = place();
  const zip = join(root, 'package.zip');
  writeFileSync(zip, makeZip([{ name: 'a.dup', data: FULL }, { name: 'b.dup', data: FULL }]));
  await assert.rejects(openFirmwarePackage(zip, { tempRoot: temp, zipLimits: { maxTotalBytes: FULL.length + 1 } }), /more than 0 MiB unpacked/);
  assert.deepEqual(readdirSync(temp), []);
});

test('not a zip, a missing zip, an empty package', async () => {
  const { root, temp } = place();
  const notZip = join(root, 'CATM1-41065.zip');
  writeFileSync(notZip, '<!doctype html><html>login page</html>');
  await assert.rejects(openFirmwarePackage(notZip, { tempRoot: temp }), /CATM1-41065\.zip is not a zip archive/);
  await assert.rejects(openFirmwarePackage(join(root, 'missing.zip'), { tempRoot: temp }), /no such file/);
  const empty = join(root, 'empty.zip');
  writeFileSync(empty, makeZip([]));
  const pkg = await openFirmwarePackage(empty, { tempRoot: temp });
  assert.deepEqual(pkg.files, []);
  await pkg.dispose();
  const readmeOnly = join(root, 'readme.zip');
  writeFileSync(readmeOnly, makeZip([{ name: 'README.txt', data: 'nothing here' }]));
  const onlyReadme = await openFirmwarePackage(readmeOnly, { tempRoot: temp });
  assert.deepEqual([onlyReadme.files, onlyReadme.ignored.map((i) => i.name)], [[], ['README.txt']]);
  await onlyReadme.dispose();
  assert.deepEqual(readdirSync(temp), []);
  const emptyFolder = join(root, 'empty-folder');
  mkdirSync(emptyFolder);
  assert.deepEqual((await openFirmwarePackage(emptyFolder)).files, []);
});

test('unsafe entry names', () => {
  for (const name of ['../x.dup', 'a/../../x.dup', '/x.dup', 'C:\\x.dup', 'c:x.dup', '..\\x.dup', 'a\0b.dup']) assert.ok(unsafeEntryName(name), name);
  for (const name of ['x.dup', 'a/b/x.dup', 'a..b.dup', '..x.dup']) assert.equal(unsafeEntryName(name), undefined, name);
});
