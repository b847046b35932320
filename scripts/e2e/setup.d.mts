export declare const CODE_SERVER_VERSION: string;
export declare const APT_PACKAGES: string[];
export declare const CHROMIUM_PATH: string;
export declare const cacheDir: string;
export declare const codeServerDir: string;
export declare const codeServerEntry: string;
export declare function ensureAptPackages(packages?: string[]): string[];
export declare function ensureCodeServer(): { reused: boolean };
export interface E2eEnvironment {
  codeServerEntry: string;
  chromiumPath: string;
  codeServerVersion: string;
  codeServerReused: boolean;
  aptInstalled: string[];
  timings: { aptMs: number; codeServerMs: number; totalMs: number };
}
export declare function ensureE2eEnvironment(): E2eEnvironment;
