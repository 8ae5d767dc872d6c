package io.blockferry.access;

import io.blockferry.access.FileBrowser.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Paths inside a mounted recovery point, {@code /PART/dir/file}: a {@code ..} segment is refused;
 * symbolic links are followed only while they stay inside their filesystem's mount (an absolute
 * link is resolved against the host and so refused); entries are described without following
 * links. {@code point} in each method names the recovery point in messages ("point 3 of pool/img").
 */
final class PointPaths {

    private PointPaths() {
    }

    static List<String> segments(String path, String point) {
        String p = path == null || path.isBlank() ? "/" : path;
        List<String> segments = new ArrayList<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                throw new AccessException(AccessException.Kind.REFUSED, "'" + path + "' is refused: '..' is not allowed "
                        + "in a path of " + point);
            }
            if (seg.indexOf('\0') >= 0) {
                throw new AccessException(AccessException.Kind.INVALID, "a path must not hold a NUL character");
            }
            segments.add(seg);
        }
        return segments;
    }

    static BrowsePart part(List<BrowsePart> parts, String point, String name, String shown) {
        for (BrowsePart p : parts) {
            if (p.name().equals(name)) {
                if (p.mount() == null) {
                    throw new AccessException(AccessException.Kind.NOT_FOUND, shown + ": partition " + name + " of " + point + " is not mounted (" + p.error() + ")");
                }
                return p;
            }
        }
        throw new AccessException(AccessException.Kind.NOT_FOUND, "no " + shown + " in " + point
                + ": it has no partition '" + name + "', its filesystems are "
                + parts.stream().map(p -> p.name() + " (" + (p.filesystem() == null ? "unknown" : p.filesystem()) + ")")
                .toList());
    }

    static Path realMount(BrowsePart part) throws IOException {
        return part.mount().toRealPath();
    }

    /**
     * Walks the segments from the filesystem's mount, following each symbolic link on the way (the
     * last one too when followLast) only while it stays inside the mount: a link that leads out is
     * REFUSED, a path that is not there NOT_FOUND.
     */
    static Path walk(Path mount, List<String> segments, boolean followLast, String shown, String point)
            throws IOException {
        Path cur = mount;
        for (int i = 0; i < segments.size(); i++) {
            Path next = cur.resolve(segments.get(i));
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                throw missing(shown, point);
            }
            boolean last = i == segments.size() - 1;
            if (Files.isSymbolicLink(next) && (!last || followLast)) {
                next = follow(next, mount, shown, point);
            }
            cur = next;
        }
        return cur;
    }

    /** Where the link leads, which must be inside the mount. */
    static Path follow(Path link, Path mount, String shown, String point) throws IOException {
        Path lexical = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
        if (!lexical.startsWith(mount)) {
            throw refusedLink(shown, point, link, mount);
        }
        Path real;
        try {
            real = link.toRealPath();
        } catch (NoSuchFileException e) {
            throw new AccessException(AccessException.Kind.NOT_FOUND, "no " + shown + " in " + point
                    + " (the symbolic link " + relative(link, mount) + " points to nothing)");
        }
        if (!real.startsWith(mount)) {
            throw refusedLink(shown, point, link, mount);
        }
        return real;
    }

    static AccessException refusedLink(String shown, String point, Path link, Path mount) throws IOException {
        return new AccessException(AccessException.Kind.REFUSED, shown + " of " + point
                + " is refused: the symbolic link " + relative(link, mount) + " -> "
                + Files.readSymbolicLink(link) + " leads out of its filesystem (links are listed, never followed out)");
    }

    static String relative(Path p, Path mount) {
        return "/" + mount.getFileName() + "/" + mount.relativize(p);
    }

    static AccessException missing(String shown, String point) {
        return new AccessException(AccessException.Kind.NOT_FOUND, "no " + shown + " in " + point);
    }

    static Entry partEntry(BrowsePart p) {
        return new Entry(p.name(), "dir", p.size(), null, null, 0, 0, null,
                p.filesystem() == null ? "unknown" : p.filesystem(), p.error());
    }

    static Entry entry(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,isDirectory,"
                + "isRegularFile,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
        String type = Boolean.TRUE.equals(a.get("isSymbolicLink")) ? "symlink"
                : Boolean.TRUE.equals(a.get("isDirectory")) ? "dir"
                : Boolean.TRUE.equals(a.get("isRegularFile")) ? "file" : "other";
        String target = type.equals("symlink") ? Files.readSymbolicLink(p).toString() : null;
        return new Entry(p.getFileName().toString(), type, (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).toInstant().toString(),
                String.format("%04o", ((Integer) a.get("mode")) & 07777), (Integer) a.get("uid"), (Integer) a.get("gid"),
                target, null, null);
    }
}
