export declare const TARGET_PREBUILDS: Record<string, string[]>;
export declare const VSIX_SIZE_BUDGET_BYTES: number;
export declare function hostTarget(): string;
export declare function ignoreLinesFor(target: string): string;
export interface PackagedVsix {
  vsixPath: string;
  target: string;
  sizeBytes: number;
  packageMs: number;
}
export declare function packageVsix(options?: { target?: string; outDir?: string; skipBuild?: boolean }): PackagedVsix;
