import { spawnSync } from 'node:child_process';

export interface VsixEntry {
  name: string;
  sizeBytes: number;
}

/** The archive's file list as `unzip -l` prints it (the tool a user would reach for). */
export function listVsix(vsixPath: string): VsixEntry[] {
  const listed = spawnSync('unzip', ['-l', vsixPath], { encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`unzip -l ${vsixPath} failed: ${listed.stderr || listed.error?.message}`);
  const entries: VsixEntry[] = [];
  for (const line of listed.stdout.split('\n')) {
    const match = /^\s*(\d+)\s+\S+\s+\S+\s+(\S.*)$/.exec(line);
    if (match && match[2] !== 'Name') entries.push({ sizeBytes: Number(match[1]), name: match[2]!.trim() });
  }
  return entries;
}
