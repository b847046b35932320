// Issue 10, the fault matrix (rows and rules in faultMatrix.ts): the board half and the FFF
// path, which carries the steps every application-mode path shares. Each row checks: the
// run ends within its bound, the port is released, a failure names its step and an action,
// the transcript is complete on disk, and a re-run after a power cycle succeeds (or finds
// the modem already upgraded). A representative subset runs by default; RELIABILITY_FULL=1
// runs every row. The table is printed at the end. The 4 MiB paths: faultMatrixFullImage.test.ts.
import { defineMatrixTests } from './matrixSuite';

defineMatrixTests(['board', 'fff']);
