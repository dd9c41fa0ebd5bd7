/** A command line the CLI cannot run: the message and the usage are printed, exit status 2. */
export class UsageError extends Error {}
