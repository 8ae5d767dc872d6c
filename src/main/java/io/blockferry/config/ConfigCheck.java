package io.blockferry.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a whole configuration before anything starts: every {@code blockferry.*} key set in the
 * file or by an override must be known (a misspelling names the key meant), every value must
 * parse as its key's type and meet its rule, and the data directory must be writable. Unknown
 * {@code BLOCKFERRY_*} environment variables are only warned about: the environment carries
 * variables of other tools too.
 */
public final class ConfigCheck {

    /** Variables Blockferry's own scripts read, which are no configuration key. */
    private static final List<String> TOOL_VARIABLES = List.of("BLOCKFERRY_CONFIG", "BLOCKFERRY_JAVA_OPTS",
            "BLOCKFERRY_URL", "BLOCKFERRY_CWD", "BLOCKFERRY_BENCH_", "BLOCKFERRY_CEPH_DR_", "BLOCKFERRY_CEPH_MON_", "BLOCKFERRY_CEPH_WAIT",
            "BLOCKFERRY_CEPH_DIR", "BLOCKFERRY_HCS_SIM_", "BLOCKFERRY_OPENSTACK_DIR", "BLOCKFERRY_OPENSTACK_WAIT",
            "BLOCKFERRY_KAFKA_DIR", "BLOCKFERRY_KAFKA_WAIT", "BLOCKFERRY_KAFKA_HEAP", "BLOCKFERRY_KAFKA_JAVA_OPTS",
            "BLOCKFERRY_KAFKA_BROKER_PORTS", "BLOCKFERRY_KAFKA_CONTROLLER_PORTS", "BLOCKFERRY_LOG");

    /** What a check found: errors stop the start, warnings are logged. */
    public record Findings(List<String> errors, List<String> warnings) {
        public void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new ConfigurationException(String.join("\n", errors));
            }
        }
    }

    private final ConfigDef def;

    public ConfigCheck(ConfigDef def) {
        this.def = def;
    }

    public static Findings of(Settings settings) {
        return new ConfigCheck(BlockferryKeys.DEFINITION).check(settings);
    }

    public Findings check(Settings settings) {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String key : settings.explicitKeys()) {
            if (key.startsWith("blockferry.")) {
                checkKey(settings, key, errors);
            }
        }
        for (String variable : settings.variables("BLOCKFERRY_")) {
            checkVariable(settings, variable, errors, warnings);
        }
        settings.find("blockferry.data-dir").ifPresent(dir -> writable(Path.of(dir), settings, errors));
        return new Findings(errors, warnings);
    }

    private void checkKey(Settings settings, String key, List<String> errors) {
        Optional<ConfigKey> defined = def.find(key);
        if (defined.isPresent()) {
            checkValue(settings, key, defined.get(), errors);
            return;
        }
        Optional<ConfigDef.PassThrough> passThrough = def.passThroughOf(key);
        if (passThrough.isPresent()) {
            checkPassThrough(settings, key, passThrough.get(), errors);
            return;
        }
        errors.add("unknown configuration key '" + key + "' (" + settings.origin(key) + ")"
                + def.closest(key).map(k -> ": did you mean '" + k + "'?").orElse(": no key of that name exists")
                + " Every key is listed with its comment in config/application.properties of the release.");
    }

    private static void checkValue(Settings settings, String key, ConfigKey defined, List<String> errors) {
        String value;
        try {
            Optional<String> found = settings.find(key);
            if (found.isEmpty()) {
                return; // empty means unset: the key's default applies
            }
            value = found.get();
        } catch (ConfigurationException e) {
            errors.add(e.getMessage()); // a placeholder naming a key that is not set
            return;
        }
        Object parsed;
        try {
            parsed = defined.type().parse(value);
        } catch (IllegalArgumentException e) {
            errors.add(settings.invalidMessage(key, value, defined.type().expected()));
            return;
        }
        if (defined.rule() != null && !defined.rule().test(parsed)) {
            errors.add(settings.invalidMessage(key, value, defined.ruleText()));
        }
    }

    private void checkPassThrough(Settings settings, String key, ConfigDef.PassThrough passThrough, List<String> errors) {
        String rest = key.substring(passThrough.prefix().length());
        Set<String> names = passThrough.names();
        if (names != null && !names.contains(rest)) {
            errors.add("configuration key '" + key + "' (" + settings.origin(key) + "): '" + rest + "' is no "
                    + passThrough.whose() + " setting" + ConfigDef.nearest(rest, names, n -> passThrough.prefix() + n)
                    .map(k -> "; did you mean '" + k + "'?").orElse("")
                    + " Keys after " + passThrough.prefix() + " are " + passThrough.whose() + "'s own, as Kafka documents them.");
        }
    }

    private void checkVariable(Settings settings, String variable, List<String> errors, List<String> warnings) {
        if (TOOL_VARIABLES.stream().anyMatch(variable::startsWith)) {
            return;
        }
        for (ConfigKey key : def.all()) {
            if (key.matchesVariable(variable)) {
                if (!key.template()) {
                    checkValue(settings, key.name(), key, errors);
                }
                return;
            }
        }
        for (ConfigDef.PassThrough p : def.passThroughs()) {
            String prefix = Settings.environmentName(p.prefix());
            if (variable.startsWith(prefix)) {
                return; // its key is checked where the pass-through keys are read (names with '.' and '-' are ambiguous here)
            }
        }
        warnings.add("the environment variable " + variable + " names no configuration key and is ignored"
                + def.closest(variable.toLowerCase(java.util.Locale.ROOT).replace('_', '.'))
                .map(k -> "; did you mean " + Settings.environmentName(k) + "?").orElse(""));
    }

    private static void writable(Path dir, Settings settings, List<String> errors) {
        Path probe = dir;
        while (probe != null && !Files.exists(probe)) {
            probe = probe.toAbsolutePath().getParent();
        }
        if (probe == null || !Files.isDirectory(probe) || !Files.isWritable(probe)) {
            errors.add("configuration key 'blockferry.data-dir' (" + settings.origin("blockferry.data-dir") + ") is '"
                    + dir + "', which is not a directory Blockferry can write"
                    + (probe == null ? "" : " (" + probe.toAbsolutePath() + " is not a writable directory)")
                    + ": create it for this user, or " + settings.whereToFix("blockferry.data-dir"));
            return;
        }
        if (Files.exists(dir)) {
            try {
                Path test = Files.createTempFile(dir, ".write-check", "");
                Files.delete(test);
            } catch (IOException | SecurityException e) {
                errors.add("configuration key 'blockferry.data-dir' (" + settings.origin("blockferry.data-dir")
                        + ") is '" + dir + "', where Blockferry cannot create a file (" + e.getMessage() + "): "
                        + "give this user write access, or " + settings.whereToFix("blockferry.data-dir"));
            }
        }
    }
}
