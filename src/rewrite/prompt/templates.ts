/**
 * Prompt templates. `laclip` reproduces the reference script's prompt byte for byte: its example and query lines
 * start with the 12 spaces of the triple-quoted string's indentation. `clean` is the same without them. `qa` is a
 * labelled variant for models that follow "Caption:/Rewrite:" blocks better than arrows.
 */
import type { Example } from "../pools/draw.js";

export const LACLIP_HEADER = "write image captions differently,";
const INDENT = " ".repeat(12);

/** A prompt split so that only the caption is shortened when the prompt is over budget. */
export interface PromptParts {
  prefix: string;
  caption: string;
  suffix: string;
}

export interface PromptTemplate {
  name: string;
  description: string;
  /** Whether the pools file's `prompt_header` replaces this template's header. */
  usesFileHeader: boolean;
  header: string;
  /** The text re-added after a cut, so the model still sees where its answer starts. */
  suffix: string;
  /** Substrings that, inside a completion, mean the model echoed the prompt format. */
  echoMarkers: readonly string[];
  parts(header: string, examples: readonly Example[], caption: string): PromptParts;
}

function arrowTemplate(name: string, description: string, indent: string): PromptTemplate {
  return {
    name,
    description,
    usesFileHeader: true,
    header: LACLIP_HEADER,
    suffix: " =>",
    echoMarkers: ["=>"],
    parts(header, examples, caption) {
      let prefix = `${header}\n\n`;
      for (const [input, output] of examples) prefix += `${indent}${input} => ${output}\n\n`;
      return { prefix: prefix + indent, caption, suffix: " =>" };
    },
  };
}

const qa: PromptTemplate = {
  name: "qa",
  description: "labelled blocks: 'Caption: ...' then 'Rewrite: ...'",
  usesFileHeader: false,
  header: "Rewrite each image caption in different words, keeping what the image shows.",
  suffix: "\nRewrite:",
  echoMarkers: ["Caption:", "Rewrite:"],
  parts(header, examples, caption) {
    let prefix = `${header}\n\n`;
    for (const [input, output] of examples) prefix += `Caption: ${input}\nRewrite: ${output}\n\n`;
    return { prefix: prefix + "Caption: ", caption, suffix: "\nRewrite:" };
  },
};

const TEMPLATES: ReadonlyMap<string, PromptTemplate> = new Map(
  [
    arrowTemplate("laclip", "the paper's prompt, byte for byte (12-space indented example and query lines)", INDENT),
    arrowTemplate("clean", "the paper's prompt without the leaked 12-space indentation", ""),
    qa,
  ].map((t) => [t.name, t]),
);

export function templateNames(): string[] {
  return [...TEMPLATES.keys()];
}

export function getTemplate(name: string): PromptTemplate | undefined {
  return TEMPLATES.get(name);
}
