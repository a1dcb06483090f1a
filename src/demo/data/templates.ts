/**
 * Zero-shot prompt templates for the demo's evaluation. A handful of plain phrasings, chosen before any result
 * and never tuned to one: the bare name (what training captions look like) and a few "emoji"/"icon" carriers.
 */
export const DEMO_TEMPLATES: readonly string[] = ["{}.", "an emoji of {}.", "a {} emoji.", "an icon of {}.", "a picture of {}."];

export function fillTemplate(template: string, className: string): string {
  return template.split("{}").join(className);
}
