package io.blockferry.schedule;

import io.blockferry.source.VolumeId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a policy covers: volumes by {@code [backend:]pool/glob} patterns (without a backend, the
 * default RBD one), and OpenStack servers by name regex, Nova tags and project or domain. Server
 * criteria all have to hold; an empty list does not restrict.
 */
public record Selection(List<String> volumes, Pattern serverName, List<String> tags, List<String> excludeTags,
                        List<String> projects, List<String> domains) {

    public Selection {
        volumes = List.copyOf(volumes);
        tags = List.copyOf(tags);
        excludeTags = List.copyOf(excludeTags);
        projects = List.copyOf(projects);
        domains = List.copyOf(domains);
    }

    /** Whether the policy selects OpenStack servers (and so needs the inventory). */
    public boolean selectsServers() {
        return serverName != null || !tags.isEmpty() || !excludeTags.isEmpty() || !projects.isEmpty()
                || !domains.isEmpty();
    }

    /** One volume pattern, parsed: its backend (the default one when none is written), pool and name glob. */
    public record VolumePattern(String scheme, String pool, String name) {

        static VolumePattern parse(String pattern) {
            VolumeId id = VolumeId.parse(pattern);
            return new VolumePattern(id.scheme(), id.pool(), id.name());
        }

        /** {@code scheme:pool}, the unit volumes are listed in. */
        public String poolKey() {
            return scheme + ":" + pool;
        }
    }

    /** Whether {@code text} is a {@code [backend:]pool/glob} pattern with exactly one slash. */
    public static boolean isVolumePattern(String text) {
        try {
            VolumeId id = VolumeId.parse(text);
            return !id.name().contains("/");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public List<VolumePattern> volumePatterns() {
        return volumes.stream().map(VolumePattern::parse).toList();
    }

    /** Whether the volume matches one of the volume patterns (its backend exactly, pool and name by glob). */
    public boolean matchesVolume(VolumeId volume) {
        for (VolumePattern pattern : volumePatterns()) {
            if (pattern.scheme().equals(volume.scheme()) && glob(pattern.pool(), volume.pool())
                    && glob(pattern.name(), volume.name())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the default backend's image {@code pool/image} matches one of the volume patterns. */
    public boolean matchesVolume(String pool, String image) {
        return matchesVolume(new VolumeId(null, pool, image));
    }

    /** Whether a server with these attributes is selected; project and domain match by name or id. */
    public boolean matchesServer(String name, List<String> serverTags, List<String> projectKeys,
                                 List<String> domainKeys) {
        if (!selectsServers()) {
            return false;
        }
        return (serverName == null || serverName.matcher(name).matches())
                && serverTags.containsAll(tags)
                && excludeTags.stream().noneMatch(serverTags::contains)
                && (projects.isEmpty() || projectKeys.stream().anyMatch(projects::contains))
                && (domains.isEmpty() || domainKeys.stream().anyMatch(domains::contains));
    }

    static boolean glob(String pattern, String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return text.matches(regex.toString());
    }
}
