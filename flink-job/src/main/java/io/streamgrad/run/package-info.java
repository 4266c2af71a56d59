/**
 * What a command does end to end, shared by the CLI, the tests and later commands: local execution
 * in a MiniCluster ({@link io.streamgrad.run.JobRunner}), preflight checks, run summaries (computed
 * here, rendered by the CLI), holdout evaluation, reading topics back, the demo, train and evaluate
 * runs ({@link io.streamgrad.run.EvaluateRun}: snapshot choice, offset ranges), predicting a file
 * or topic ({@link io.streamgrad.run.PredictRun}) and exporting a snapshot ({@link
 * io.streamgrad.run.SnapshotExport}), and the job jar's entry point on a cluster ({@link
 * io.streamgrad.run.ClusterJob}), and the class-data archive the launcher asks a run to write
 * ({@link io.streamgrad.run.ClassDataArchive}). May use {@code job}, {@code serve}, {@code train}
 * and below, {@code producers}/{@code kafka}; not {@code cli}.
 */
package io.streamgrad.run;
