import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Starts a bench script in its own Node process with an IPC channel: the bundled .js next
 * to this code when the bench runs bundled (npm run bench), else the .ts through tsx.
 */
export function forkBenchScript(name: string, args: string[]): ChildProcess {
  const { scriptPath, execArgv } = benchScript(name);
  return fork(scriptPath, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Where a bench script is and the Node flags it needs, bundled or not. */
export function benchScript(name: string): { scriptPath: string; execArgv: string[] } {
  const isBundled = __filename.endsWith('.js');
  return {
    scriptPath: join(__dirname, isBundled ? name.replace(/\.ts$/, '.js') : name),
    execArgv: isBundled ? [] : ['--import', 'tsx'],
  };
}

/** The child's next IPC message of this kind; rejects when it exits first or stays silent. */
export function nextMessage<T extends { kind: string }>(child: ChildProcess, kind: string, withinMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`child sent no '${kind}' within ${withinMs} ms`)), withinMs);
    const onMessage = (message: { kind?: string }) => {
      if (message?.kind === kind) done(undefined, message as T);
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before '${kind}'`));
    const done = (error?: Error, value?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Waits for the child to exit; kills it when it has not within `withinMs`. */
export function exited(child: ChildProcess, withinMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
