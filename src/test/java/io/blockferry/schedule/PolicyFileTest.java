package io.blockferry.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import io.blockferry.source.Hook;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyFileTest {

    private static List<Policy> parse(String yaml) {
        return PolicyFile.parse("policies.yaml", new StringReader(yaml));
    }

    private static String error(String yaml) {
        return assertThrows(PolicyFileException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void readsEveryKey() {
        List<Policy> policies = parse("""
                policies:
                  - name: gold
                    schedule: "0 0/15 * * * ?"
                    select:
                      volumes: [volumes/db-*, "vms/*_disk"]
                      servers:
                        name: "prod-.*"
                        tags: [backup]
                        exclude-tags: no-backup
                        projects: [blockferry-demo]
                        domains: [Default]
                    exclude-disks: [/dev/vdc]
                    full-every: 7
                    keep-snapshots: 3
                    keep-points: 14
                    priority: 80
                    bandwidth-limit: 50M
                    pre-snapshot:
                      command: [/usr/bin/true, --freeze]
                      timeout: 30s
                      on-failure: continue
                    post-snapshot:
                      command: echo thawed
                  - name: bronze
                    schedule: "0 0 2 * * ?"
                    select: {volumes: backup/*}
                    mode: full
                """);
        assertEquals(2, policies.size());
        Policy gold = policies.get(0);
        assertEquals("0 0/15 * * * ?", gold.schedule());
        assertTrue(gold.selection().matchesVolume("volumes", "db-1"));
        assertFalse(gold.selection().matchesVolume("volumes", "web-1"));
        assertTrue(gold.selection().matchesVolume("vms", "0b2c_disk"));
        assertTrue(gold.selection().matchesServer("prod-db", List.of("backup"), List.of("blockferry-demo"),
                List.of("Default")));
        assertFalse(gold.selection().matchesServer("prod-db", List.of("backup", "no-backup"),
                List.of("blockferry-demo"), List.of("Default")));
        assertFalse(gold.selection().matchesServer("test-db", List.of("backup"), List.of("blockferry-demo"),
                List.of("Default")));
        assertTrue(gold.excludes("/dev/vdc"));
        assertEquals(7, gold.fullEvery());
        assertTrue(gold.fullOnRun(14));
        assertFalse(gold.fullOnRun(15));
        assertEquals(3, gold.keepSnapshots());
        assertEquals(14, gold.keepPoints());
        assertEquals(80, gold.priority());
        assertEquals(50L << 20, gold.bandwidthLimit());
        assertEquals(List.of("/usr/bin/true", "--freeze"), gold.preSnapshot().command());
        assertEquals(Duration.ofSeconds(30), gold.preSnapshot().timeout());
        assertEquals(Hook.OnFailure.CONTINUE, gold.preSnapshot().onFailure());
        assertEquals(List.of("/bin/sh", "-c", "echo thawed"), gold.postSnapshot().command());
        assertEquals(Hook.OnFailure.ABORT, gold.postSnapshot().onFailure());
        Policy bronze = policies.get(1);
        assertTrue(bronze.fullOnRun(1));
        assertEquals(1, bronze.keepSnapshots());
        assertEquals(50, bronze.priority());
        assertNull(bronze.preSnapshot());
        assertFalse(bronze.selection().selectsServers());
    }

    @Test
    void aMissingFileMeansNoPolicies() {
        assertEquals(List.of(), PolicyFile.read(Path.of("target/no-such-policies.yaml")));
    }

    @Test
    void errorsNameTheLineAndTheKey() {
        String base = """
                policies:
                  - name: gold
                    select: {volumes: [volumes/*]}
                """;
        assertEquals("policies.yaml line 4: key 'schedule': 'every minute' is not a Quartz cron expression "
                + "(Illegal characters for this position: 'EVE'); example: '0 0/15 * * * ?' runs every 15 minutes",
                error(base + "    schedule: every minute\n"));
        assertTrue(error(base + "    schedule: '0 * * * * ?'\n    priority: high\n")
                .startsWith("policies.yaml line 5: key 'priority': 'high' is not a whole number"));
        assertTrue(error(base + "    schedule: '0 * * * * ?'\n    keep-snapshots: 0\n")
                .startsWith("policies.yaml line 5: key 'keep-snapshots': 0 is out of range 1..100"));
        assertTrue(error(base + "    schedule: '0 * * * * ?'\n    shedule: x\n")
                .startsWith("policies.yaml line 5: key 'shedule': unknown key in 'policies'"));
        assertTrue(error(base).startsWith("policies.yaml line 2: key 'schedule': is required in every policy"));
        assertTrue(error(base + "    schedule: '0 * * * * ?'\n    mode: sometimes\n")
                .startsWith("policies.yaml line 5: key 'mode': 'sometimes' is not a sync mode"));
        assertTrue(error(base + "    schedule: '0 * * * * ?'\n    bandwidth-limit: fast\n")
                .startsWith("policies.yaml line 5: key 'bandwidth-limit': 'fast' is not a size"));
        assertTrue(error("policies:\n  - name: a\n    schedule: '0 * * * * ?'\n    select: {volumes: [noslash]}\n")
                .startsWith("policies.yaml line 4: key 'volumes': 'noslash' is not a [backend:]pool/image pattern"));
        assertTrue(error("policies:\n  - name: a\n    schedule: '0 * * * * ?'\n    select: {volumes: [a/b]}\n"
                + "  - name: a\n    schedule: '0 * * * * ?'\n    select: {volumes: [a/c]}\n")
                .startsWith("policies.yaml line 5: key 'name': policy 'a' is defined twice"));
        assertTrue(error("policies:\n  - name: a\n    schedule: '0 * * * * ?'\n    select:\n      servers:\n"
                + "        name: 'prod-('\n").startsWith("policies.yaml line 6: key 'name': 'prod-(' is not a regular"));
        assertTrue(error("policies:\n  - name: Gold!\n").startsWith("policies.yaml line 2: key 'name': 'Gold!'"));
        assertTrue(error("policies: [\n").startsWith("policies.yaml line 2: not valid YAML"));
    }
}
