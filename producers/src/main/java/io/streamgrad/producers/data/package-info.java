/**
 * Data-set readers (IDX, CSV) that turn files into labeled rows, with errors that name file and
 * line. May use {@code schema}.
 */
package io.streamgrad.producers.data;
