package io.blockferry.schedule;

import io.blockferry.config.Units;
import io.blockferry.source.Hook;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.quartz.CronExpression;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/** Reads and checks the policy file (format in the README, example in config/policies.yaml). */
public final class PolicyFile {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> TOP = Set.of("policies");
    private static final Set<String> POLICY = Set.of("name", "schedule", "select", "exclude-disks", "mode",
            "full-every", "keep-snapshots", "keep-points", "priority", "bandwidth-limit", "pre-snapshot",
            "post-snapshot", "rpo");
    private static final Set<String> SELECT = Set.of("volumes", "servers");
    private static final Set<String> SERVERS = Set.of("name", "tags", "exclude-tags", "projects", "domains");
    private static final Set<String> HOOK = Set.of("command", "timeout", "on-failure");

    private PolicyFile() {
    }

    /** The policies of {@code file}; a missing file means no policies. */
    public static List<Policy> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Reader reader = Files.newBufferedReader(file)) {
            return parse(file.toString(), reader);
        } catch (IOException e) {
            throw new PolicyFileException("cannot read the policy file " + file + ": " + e.getMessage(), e);
        }
    }

    static List<Policy> parse(String name, Reader reader) {
        YamlNodes yaml = new YamlNodes(name);
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(name).build();
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, reader)))
                    .getSingleNode();
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new PolicyFileException(name + " line " + line + ": not valid YAML: " + e.getProblem(), e);
        }
        if (root.isEmpty()) {
            return List.of();
        }
        Node policies = yaml.mapping(root.get(), "", TOP).get("policies");
        if (policies == null) {
            return List.of();
        }
        List<Policy> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node node : yaml.sequence(policies, "policies")) {
            Policy p = policy(yaml, node);
            if (!names.add(p.name())) {
                throw yaml.error(node, "name", "policy '" + p.name() + "' is defined twice");
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    private static Policy policy(YamlNodes yaml, Node node) {
        Map<String, Node> m = yaml.mapping(node, "policies", POLICY);
        String name = required(yaml, node, m, "name");
        if (!NAME.matcher(name).matches()) {
            throw yaml.error(m.get("name"), "name", "'" + name
                    + "' is not a policy name: use lower-case letters, digits and dashes");
        }
        String schedule = required(yaml, node, m, "schedule");
        try {
            CronExpression.validateExpression(schedule);
        } catch (java.text.ParseException e) {
            throw yaml.error(m.get("schedule"), "schedule", "'" + schedule + "' is not a Quartz cron expression ("
                    + e.getMessage() + "); example: '0 0/15 * * * ?' runs every 15 minutes");
        }
        if (!m.containsKey("select")) {
            throw yaml.error(node, "select", "policy '" + name + "' has no selection: add volumes or servers");
        }
        Selection selection = selection(yaml, m.get("select"));
        String mode = Optional.ofNullable(m.get("mode")).map(n -> yaml.scalar(n, "mode")).orElse("incremental");
        int fullEvery = yaml.integer(m.get("full-every"), "full-every", 0, 0, 100_000);
        if (mode.equals("full")) {
            if (m.containsKey("full-every")) {
                throw yaml.error(m.get("full-every"), "full-every", "has no meaning with mode: full");
            }
            fullEvery = 1;
        } else if (!mode.equals("incremental")) {
            throw yaml.error(m.get("mode"), "mode", "'" + mode + "' is not a sync mode: use incremental or full");
        }
        return new Policy(name, schedule, selection, yaml.strings(m.get("exclude-disks"), "exclude-disks"),
                fullEvery, yaml.integer(m.get("keep-snapshots"), "keep-snapshots", 1, 1, 100),
                yaml.integer(m.get("keep-points"), "keep-points", 0, 0, 100_000),
                yaml.integer(m.get("priority"), "priority", 50, 0, 1000), bandwidth(yaml, m.get("bandwidth-limit")),
                hook(yaml, m.get("pre-snapshot"), "pre-snapshot"), hook(yaml, m.get("post-snapshot"), "post-snapshot"),
                rpo(yaml, m.get("rpo")));
    }

    private static String required(YamlNodes yaml, Node policy, Map<String, Node> m, String key) {
        Node n = m.get(key);
        if (n == null) {
            throw yaml.error(policy, key, "is required in every policy");
        }
        String value = yaml.scalar(n, key).trim();
        if (value.isEmpty()) {
            throw yaml.error(n, key, "is empty");
        }
        return value;
    }

    private static Selection selection(YamlNodes yaml, Node node) {
        Map<String, Node> m = yaml.mapping(node, "select", SELECT);
        List<String> volumes = yaml.strings(m.get("volumes"), "volumes");
        for (String v : volumes) {
            if (!Selection.isVolumePattern(v)) {
                throw yaml.error(m.get("volumes"), "volumes", "'" + v
                        + "' is not a [backend:]pool/image pattern, such as volumes/volume-*, vms/*_disk or "
                        + "east:volumes/*");
            }
        }
        Selection s;
        if (m.containsKey("servers")) {
            Map<String, Node> servers = yaml.mapping(m.get("servers"), "servers", SERVERS);
            s = new Selection(volumes, regex(yaml, servers.get("name")), yaml.strings(servers.get("tags"), "tags"),
                    yaml.strings(servers.get("exclude-tags"), "exclude-tags"),
                    yaml.strings(servers.get("projects"), "projects"), yaml.strings(servers.get("domains"), "domains"));
            if (!s.selectsServers()) {
                throw yaml.error(m.get("servers"), "servers", "selects nothing: give a name, tags, projects or domains");
            }
        } else {
            s = new Selection(volumes, null, List.of(), List.of(), List.of(), List.of());
        }
        if (volumes.isEmpty() && !s.selectsServers()) {
            throw yaml.error(node, "select", "selects nothing: give volumes or servers");
        }
        return s;
    }

    private static Pattern regex(YamlNodes yaml, Node node) {
        if (node == null) {
            return null;
        }
        String text = yaml.scalar(node, "name");
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw yaml.error(node, "name", "'" + text + "' is not a regular expression: " + e.getDescription());
        }
    }

    private static long bandwidth(YamlNodes yaml, Node node) {
        if (node == null) {
            return 0;
        }
        String text = yaml.scalar(node, "bandwidth-limit");
        try {
            return Units.bytes(text);
        } catch (IllegalArgumentException e) {
            throw yaml.error(node, "bandwidth-limit", e.getMessage() + " (bytes per second)");
        }
    }

    /** At least a second: the objective is checked every few seconds, not per millisecond. */
    private static Duration rpo(YamlNodes yaml, Node node) {
        if (node == null) {
            return null;
        }
        String text = yaml.scalar(node, "rpo");
        Duration rpo;
        try {
            rpo = Units.duration(text);
        } catch (IllegalArgumentException e) {
            throw yaml.error(node, "rpo", e.getMessage() + " (the recovery-point objective, e.g. 1h)");
        }
        if (rpo.compareTo(Duration.ofSeconds(1)) < 0) {
            throw yaml.error(node, "rpo", "'" + text + "' is shorter than a second");
        }
        return rpo;
    }

    private static Hook hook(YamlNodes yaml, Node node, String key) {
        if (node == null) {
            return null;
        }
        Map<String, Node> m = yaml.mapping(node, key, HOOK);
        if (!m.containsKey("command")) {
            throw yaml.error(node, key + ".command", "a hook needs a command");
        }
        List<String> command = yaml.strings(m.get("command"), "command");
        if (command.isEmpty()) {
            throw yaml.error(m.get("command"), "command", "is empty");
        }
        if (m.get("command") instanceof org.snakeyaml.engine.v2.nodes.ScalarNode) {
            command = List.of("/bin/sh", "-c", command.get(0));
        }
        Duration timeout = Duration.ofSeconds(60);
        if (m.containsKey("timeout")) {
            try {
                timeout = Units.duration(yaml.scalar(m.get("timeout"), "timeout"));
            } catch (IllegalArgumentException e) {
                throw yaml.error(m.get("timeout"), "timeout", e.getMessage());
            }
        }
        String onFailure = Optional.ofNullable(m.get("on-failure")).map(n -> yaml.scalar(n, "on-failure"))
                .orElse("abort");
        if (!onFailure.equals("abort") && !onFailure.equals("continue")) {
            throw yaml.error(m.get("on-failure"), "on-failure", "'" + onFailure + "' is not known: use abort or continue");
        }
        return new Hook(command, timeout, Hook.OnFailure.valueOf(onFailure.toUpperCase(Locale.ROOT)));
    }
}
