/**
 * Data files as in-memory data sets and events: readers (CSV through Commons CSV, IDX), the label
 * mapping from a file's labels to class indices, and the checks that can be made before anything
 * starts (numbers, missing labels, labels against the task, event size against Kafka's record
 * limit). Every refusal names the file and line (or record), the column and the value as read, and
 * what to do. May use {@code schema}, Commons CSV/IO and kafka-clients (for record sizes); never
 * Flink.
 */
package io.streamgrad.producers.data;
