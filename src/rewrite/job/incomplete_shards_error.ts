import { LaclipError } from "../../errors/laclip_error.js";

/** Shards cannot be merged: one is missing or unfinished, or their captions do not cover every index exactly once. */
export class IncompleteShardsError extends LaclipError {}
