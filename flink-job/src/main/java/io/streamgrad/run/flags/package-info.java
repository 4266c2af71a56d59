/**
 * The flags of the jobs as picocli mixins, shared by the CLI commands and the cluster entry point
 * (which must not load the interactive CLI), and job files ({@code --config}). The one place where
 * domain setting names become flag names ({@link io.streamgrad.run.flags.Flags}).
 */
package io.streamgrad.run.flags;
