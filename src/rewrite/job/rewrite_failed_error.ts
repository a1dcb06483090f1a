import { LaclipError } from "../../errors/laclip_error.js";

/** The run stopped before every caption was rewritten; what was finished is kept and a rerun resumes after it. */
export class RewriteFailedError extends LaclipError {}
