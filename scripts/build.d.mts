export interface BuiltBundles {
  /** Bytes each source file contributes to extension.js (what activation loads). */
  extensionInputBytes: Record<string, number>;
}
export declare function buildBundles(options?: { production?: boolean; outdir?: string }): Promise<BuiltBundles>;
