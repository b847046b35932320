/** Modules the extension imports with import() only, and what core.js exports for them. */
export declare const LAZY_MODULES: Record<string, string[]>;
export interface BuiltBundles {
  /** Bytes each source file contributes to extension.js (what activation loads). */
  extensionInputBytes: Record<string, number>;
}
export declare function buildBundles(options?: { production?: boolean; outdir?: string }): Promise<BuiltBundles>;
