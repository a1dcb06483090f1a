/** Where an image comes from: a file, or bytes already in memory (a tar member, a download) with a name for errors. */
export type ImageSource = { path: string } | { bytes: Uint8Array; name?: string };

export function sourceName(source: ImageSource): string {
  return "path" in source ? source.path : (source.name ?? "<in-memory image>");
}
