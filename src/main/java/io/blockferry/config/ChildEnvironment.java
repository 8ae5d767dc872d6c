package io.blockferry.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The environment of the processes Blockferry starts (policy hooks, the {@code rbd} CLI of a
 * restore): only what a program needs to run ({@link #BASE}) and the names the operator lists in
 * {@value #KEY}. Blockferry's own environment holds its credentials (OS_PASSWORD,
 * BLOCKFERRY_OPENSTACK_PASSWORD, BLOCKFERRY_API_TOKEN, Kafka's passwords ...); none of them reaches
 * a child unless named there.
 */
public final class ChildEnvironment {

    /** Extra variable names passed to child processes, comma-separated. */
    public static final String KEY = "blockferry.process.pass-environment";

    /** What every child keeps: the search path, the user, the locale, the time zone, Ceph's config file. */
    public static final List<String> BASE = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE",
            "LC_MESSAGES", "TZ", "TMPDIR", "CEPH_CONF");

    private final Set<String> names;

    private ChildEnvironment(Set<String> names) {
        this.names = Set.copyOf(names);
    }

    public static ChildEnvironment minimal() {
        return new ChildEnvironment(new LinkedHashSet<>(BASE));
    }

    public static ChildEnvironment from(Settings settings) {
        Set<String> names = new LinkedHashSet<>(BASE);
        names.addAll(settings.list(KEY));
        return new ChildEnvironment(names);
    }

    /** Takes every variable the builder would pass on, except those allowed, out of its environment. */
    public ProcessBuilder applyTo(ProcessBuilder builder) {
        builder.environment().keySet().retainAll(names);
        return builder;
    }

    public List<String> names() {
        return new ArrayList<>(names);
    }
}
