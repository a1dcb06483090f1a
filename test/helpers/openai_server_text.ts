/**
 * What the test server (openai_server.ts) answers: a deterministic, reversible rewrite of the caption it finds in
 * the prompt, and the bad completions its content faults return.
 */
import type { FaultKind } from "./openai_server.js";

const PREFIX = "Put another way: ";

/** The server's deterministic rewrite of a caption: its words reversed, behind a fixed prefix; choice j > 0 tagged. */
export function fakeRewrite(caption: string, choice = 0): string {
  const words = caption.trim().split(/\s+/).reverse().join(" ");
  return PREFIX + words + (choice > 0 ? ` [${choice}]` : "");
}

/** Inverts `fakeRewrite` (ignoring the choice tag); undefined for text it did not make. */
export function originalOf(text: string): string | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  return text.slice(PREFIX.length).replace(/ \[\d+\]$/, "").split(" ").reverse().join(" ");
}

/** The caption a prompt asks about: its last line without the answer marker. */
export function captionOfPrompt(prompt: string): string | undefined {
  const lines = prompt.split("\n");
  const last = lines[lines.length - 1]!.trim();
  if (last.endsWith("=>")) return last.slice(0, -2).trim();
  if (last === "Rewrite:" && lines.length >= 2) return lines[lines.length - 2]!.replace(/^Caption: /, "").trim();
  return undefined;
}

export function badText(kind: FaultKind, caption: string, prompt: string): string | undefined {
  switch (kind) {
    case "echo": return ` ${caption} => ${prompt.split("\n").find((l) => l.includes("=>"))?.trim() ?? "x => y"}`;
    case "empty": return "";
    case "newline_first": return `\n${fakeRewrite(caption)}`;
    case "repetitive": return " the the the the the the the the";
    case "identical": return ` ${caption}`;
    case "non_printable": return ` A picture\u0000 of \u0007 things`;
    default: return undefined;
  }
}
