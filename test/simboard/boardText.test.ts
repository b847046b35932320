import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPost111Syntax } from '../../src/sim/board/micropython111Syntax';
import { autoIndent, continuesWithInput } from '../../src/sim/board/pycomRepl';
import { boardTraceback, cookBytes } from '../../src/sim/board/boardTraceback';
import { compareRelease } from '../../src/sim/board/simulatedBoard';

test('f-strings and := are found by token, not by text', () => {
  assert.deepEqual(findPost111Syntax('print(f"{1}")'), { line: 1, what: 'f-string' });
  assert.deepEqual(findPost111Syntax("x = 1\ny = rf'{x}'"), { line: 2, what: 'f-string' });
  assert.deepEqual(findPost111Syntax('"""\nf"no"\n"""\nif (n := 2): pass'), { line: 4, what: 'walrus' });
  for (const fine of ['print("f{1}")', "elif_ = 'x'", '# f"comment" :=', "b'\\x00' + rb'\\\\'", 's = "a\\"f"', 'd = {1: 2}', 'x[1:2]']) {
    assert.equal(findPost111Syntax(fine), undefined, fine);
  }
});

test('continuation follows the 1.11 REPL rules', () => {
  assert.equal(continuesWithInput('for i in range(3):'), true);
  assert.equal(continuesWithInput('for i in range(3):\n    print(i)'), true);
  assert.equal(continuesWithInput('for i in range(3):\n    print(i)\n'), false);
  assert.equal(continuesWithInput('print((1,'), true);
  assert.equal(continuesWithInput('s = """abc'), true);
  assert.equal(continuesWithInput('x = 1 + \\'), true);
  assert.equal(continuesWithInput('format = 1'), false, 'a word starting with "for" is not a keyword');
  assert.equal(continuesWithInput('print("(")'), false);
  assert.equal(autoIndent('if x:\n'), '    ');
  assert.equal(autoIndent('if x:\n    if y:\n'), '        ');
  assert.equal(autoIndent('if x:\n    y = 1\n'), '    ');
});

test('tracebacks lose the simulator frames, name errnos and end lines with CRLF', () => {
  const raw = 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n  File "/_sim/_simboard.py", line 117, in write\nOSError: 28\n';
  assert.equal(boardTraceback(raw), 'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nOSError: [Errno 28] ENOSPC\r\n');
  const wrapped = 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n  File "/frozen/sqnsupgrade.py", line 9, in uart\nOSError: x\n';
  assert.equal(boardTraceback(wrapped, { isWrapped: true }), 'Traceback (most recent call last):\r\n  File "sqnsupgrade.py", line 9, in uart\r\nOSError: x\r\n');
  assert.deepEqual([...cookBytes(new Uint8Array([0x61, 0x0a, 0x0a]))], [0x61, 0x0d, 0x0a, 0x0d, 0x0a]);
});

test('releases compare numerically', () => {
  assert.ok(compareRelease('1.18.2.r7', '1.20') < 0);
  assert.ok(compareRelease('1.20.2.r6', '1.20') > 0);
  assert.equal(compareRelease('1.20', '1.20.0'), 0);
});
