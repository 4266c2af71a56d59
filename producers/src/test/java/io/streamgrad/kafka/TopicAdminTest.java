package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin helper's reads of topic settings, against Kafka's real broker in this JVM. */
class TopicAdminTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Admin plainAdmin() {
        return Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()));
    }

    @Test
    void aSnapshotsTopicItCreatesIsCompactedAndOneMadeElsewhereSaysItsPolicy() throws Exception {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.SNAPSHOTS, "ours", 1);
            assertEquals(Optional.of("compact"), admin.cleanupPolicy("ours"));
            try (Admin plain = plainAdmin()) {
                plain.createTopics(List.of(new NewTopic("theirs", 1, (short) 1))).all().get();
            }
            admin.awaitServed("theirs");
            assertEquals(Optional.of("delete"), admin.cleanupPolicy("theirs"));
            // ensureTopic leaves an existing topic as it is.
            admin.ensureTopic(Topic.SNAPSHOTS, "theirs", 1);
            assertEquals(Optional.of("delete"), admin.cleanupPolicy("theirs"));
        }
    }

    @Test
    void aTopicDeletedAndMadeAgainHasAnotherIdAndAMissingOneNone() throws Exception {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers());
                Admin plain = plainAdmin()) {
            assertEquals(Optional.empty(), admin.topicId("never.made"));
            plain.createTopics(List.of(new NewTopic("remade", 2, (short) 1))).all().get();
            admin.awaitServed("remade");
            String first = admin.topicId("remade").orElseThrow();
            // Kafka's own answer, in the form it prints ids.
            assertEquals(
                    plain.describeTopics(Set.of("remade"))
                            .allTopicNames()
                            .get()
                            .get("remade")
                            .topicId()
                            .toString(),
                    first);
            assertEquals(Optional.of(first), admin.topicId("remade"));

            broker.deleteTopic("remade");
            assertEquals(Optional.empty(), admin.topicId("remade"));
            plain.createTopics(List.of(new NewTopic("remade", 2, (short) 1))).all().get();
            admin.awaitServed("remade");
            String second = admin.topicId("remade").orElseThrow();
            assertNotEquals(first, second);
            assertTrue(second.length() >= 22, second);
        }
    }
}
