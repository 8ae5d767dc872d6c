package io.blockferry.schedule;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a policy covers: RBD images by {@code pool/glob} patterns, and OpenStack servers by name
 * regex, Nova tags and project or domain. Server criteria all have to hold; an empty list does
 * not restrict.
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

    /** Whether the image {@code pool/image} matches one of the volume patterns. */
    public boolean matchesVolume(String pool, String image) {
        for (String pattern : volumes) {
            int slash = pattern.indexOf('/');
            if (glob(pattern.substring(0, slash), pool) && glob(pattern.substring(slash + 1), image)) {
                return true;
            }
        }
        return false;
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
