package io.streamgrad.cli;

import io.streamgrad.kafka.Topic;
import picocli.CommandLine.Option;

/** The two sides of the label join, shared by {@code join} and {@code produce delayed}. */
final class JoinTopicOptions {
    @Option(
            names = "--features-topic",
            defaultValue = Topic.Names.FEATURES,
            description = "Topic of the FeatureEvents (default: ${DEFAULT-VALUE})")
    String features;

    @Option(
            names = "--labels-topic",
            defaultValue = Topic.Names.LABELS,
            description = "Topic of the LabelEvents (default: ${DEFAULT-VALUE})")
    String labels;
}
