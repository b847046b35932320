/** What a pseudoterminal has written, and a promise for text still to come (no polling, no sleeps). */
export interface TerminalScreen {
  /** Everything written since the last clear. */
  text(): string;
  clear(): void;
  /** Resolves once `text` has been written (since the last clear). */
  shown(text: string): Promise<void>;
}

export function watchTerminal(pty: { onDidWrite(listener: (text: string) => void): unknown }): TerminalScreen {
  let screen = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  pty.onDidWrite((text) => {
    screen += text;
    for (const waiter of [...waiters]) {
      if (!screen.includes(waiter.text)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    text: () => screen,
    clear: () => void (screen = ''),
    shown: (text) => (screen.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve }))),
  };
}
