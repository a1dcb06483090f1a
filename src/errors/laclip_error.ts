/**
 * The root of every error this project throws on purpose. Catch `LaclipError` to tell the project's own,
 * explained failures apart from bugs. Messages say what went wrong and what to do instead; `cause` keeps the
 * lower-level error (a libtorch message, an errno, an HTTP status) for whoever needs it.
 */
export class LaclipError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
