/**
 * Serving a trained model outside the job: {@link io.streamgrad.serve.ServingModel} (one snapshot's
 * model, immutable, thread-safe, plain Java) and {@link io.streamgrad.serve.Predictor} (follows a
 * snapshots topic on its own thread and swaps to each newer snapshot of a model key atomically, so
 * concurrent {@code predict} calls never see half of one version and half of another), and {@link
 * io.streamgrad.serve.OnnxExport} (the same model as an ONNX graph, written with the ONNX protobuf
 * classes ND4J ships, {@code onnx.Onnx}). Free of Flink. May use {@code evaluate} (probabilities
 * from logits), {@code train} (snapshot checks), {@code model}, {@code kafka} (clients), {@code
 * config} and {@code schema}.
 */
package io.streamgrad.serve;
