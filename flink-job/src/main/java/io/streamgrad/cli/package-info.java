/**
 * The command line: flags, help and console output, nothing else. Commands parse their flags
 * (mostly mixins from {@code run.flags}), call the {@code run} layer, and print what it returns;
 * {@link io.streamgrad.cli.Streamgrad} maps errors to one-line messages and exit codes in one
 * place. May use every other package; nothing uses it.
 */
package io.streamgrad.cli;
