// Issue 10, the fault matrix for the paths that send a full image ON_THE_FLY (> 4 MiB):
// from the application, from the recovery bootrom with updater.elf, and resuming in
// state 4. See faultMatrix.test.ts for what each row checks.
import { defineMatrixTests } from './matrixSuite';

defineMatrixTests(['on-the-fly', 'recovery', 'resume']);
