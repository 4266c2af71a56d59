package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The admin helper's reads of topic settings, against Kafka's real broker in this JVM. */
class TopicAdminTest {
    @Test
    void aSnapshotsTopicItCreatesIsCompactedAndOneMadeElsewhereSaysItsPolicy() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.SNAPSHOTS, "ours", 1);
            assertEquals(Optional.of("compact"), admin.cleanupPolicy("ours"));
            try (Admin plain =
                    Admin.create(
                            Map.<String, Object>of(
                                    "bootstrap.servers", broker.bootstrapServers()))) {
                plain.createTopics(List.of(new NewTopic("theirs", 1, (short) 1))).all().get();
            }
            admin.awaitServed("theirs");
            assertEquals(Optional.of("delete"), admin.cleanupPolicy("theirs"));
            // ensureTopic leaves an existing topic as it is.
            admin.ensureTopic(Topic.SNAPSHOTS, "theirs", 1);
            assertEquals(Optional.of("delete"), admin.cleanupPolicy("theirs"));
        }
    }
}
