package io.blockferry.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy file's rpo key. */
class PolicyRpoTest {

    private static final String POLICY = """
            policies:
              - name: gold
                schedule: "0 0/15 * * * ?"
                select: {volumes: [volumes/db-*]}
            """;

    @Test
    void should_read_the_recovery_point_objective() {
        assertEquals(Duration.ofHours(1), parse(POLICY + "    rpo: 1h\n").get(0).rpo());
        assertEquals(Duration.ofSeconds(90), parse(POLICY + "    rpo: 90s\n").get(0).rpo());
    }

    @Test
    void should_leave_a_policy_without_rpo_without_objective() {
        assertNull(parse(POLICY).get(0).rpo());
    }

    @Test
    void should_name_the_line_and_the_key_of_a_wrong_rpo() {
        assertEquals("policies.yaml line 5: key 'rpo': 'an hour' is not a duration such as 500ms, 30s, 5m, 1h or 1d "
                + "(the recovery-point objective, e.g. 1h)", error(POLICY + "    rpo: an hour\n"));
        assertEquals("policies.yaml line 5: key 'rpo': '500ms' is shorter than a second", error(POLICY + "    rpo: 500ms\n"));
        assertEquals("policies.yaml line 5: key 'rpo': expected a single value", error(POLICY + "    rpo: [1h]\n"));
    }

    private static List<Policy> parse(String yaml) {
        return PolicyFile.parse("policies.yaml", new StringReader(yaml));
    }

    private static String error(String yaml) {
        return assertThrows(PolicyFileException.class, () -> parse(yaml)).getMessage();
    }
}
