package io.blockferry.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blockferry's own files hold every protected disk's contents and its credentials, so they are
 * its owner's only: directories 0700 and files 0600 when they are made, whatever the process's
 * umask (the mode is set again after creation), and existing ones are tightened at start with a
 * warning naming them. On a file system without POSIX permissions nothing is changed.
 */
public final class OwnerOnly {

    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnly.class);
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** How many paths a warning names before it only counts. */
    private static final int NAMED = 10;

    private OwnerOnly() {
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Creates the directory and its missing parents as 0700; existing ones are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return dir;
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                if (posix(p)) {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIRECTORY));
                    Files.setPosixFilePermissions(p, DIRECTORY);
                } else {
                    Files.createDirectory(p);
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
            }
        }
        return dir;
    }

    /** {@link #createDirectories} with an unchecked failure. */
    public static Path ensureDirectories(Path dir) {
        try {
            return createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** Opens a file like {@link FileChannel#open(Path, OpenOption...)}; a file it creates is 0600. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = Set.of(options);
        boolean creates = set.contains(StandardOpenOption.CREATE) || set.contains(StandardOpenOption.CREATE_NEW);
        if (!creates || !posix(file)) {
            return FileChannel.open(file, options);
        }
        boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE);
        FileChannel channel = FileChannel.open(file, set, mode);
        if (!existed) {
            Files.setPosixFilePermissions(file, FILE);
        }
        return channel;
    }

    /** Creates an empty file as 0600 (it must not exist). */
    public static Path createFile(Path file) throws IOException {
        if (!posix(file)) {
            return Files.createFile(file);
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
        Files.setPosixFilePermissions(file, FILE);
        return file;
    }

    /** Makes one existing file 0600 (a file a library created, such as the H2 database). */
    public static void restrict(Path file) {
        if (!Files.exists(file) || !posix(file)) {
            return;
        }
        try {
            if (!FILE.equals(Files.getPosixFilePermissions(file))) {
                Files.setPosixFilePermissions(file, FILE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + file + " readable by its owner only: " + e.getMessage(), e);
        }
    }

    /**
     * Tightens a tree that may come from an older release or another umask: every directory that
     * group or others may use becomes 0700 and every such file 0600, with one warning naming them.
     * Symbolic links are not followed, and neither other file systems mounted in the tree nor the
     * repository's {@code .browse} directory (the read-only mounts of file-level restore, which a
     * killed process may have left until the target removes them) are entered. Returns the paths changed.
     */
    public static List<Path> tighten(Path root) {
        if (!Files.exists(root) || !posix(root)) {
            return List.of();
        }
        List<Path> changed = new ArrayList<>();
        try {
            Object device = Files.getAttribute(root, "unix:dev");
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (dir.getFileName() != null && dir.getFileName().toString().equals(".browse")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    fix(dir, DIRECTORY, changed);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        fix(file, FILE, changed);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    LOG.warn("Could not check the permissions of {}: {}", file, e.getMessage());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the permissions under " + root + ": " + e.getMessage(), e);
        }
        if (!changed.isEmpty()) {
            LOG.warn("{} path(s) under {} were readable or writable by other users and are now its owner's only "
                    + "(directories 0700, files 0600): {}{}", changed.size(), root.toAbsolutePath(),
                    changed.subList(0, Math.min(NAMED, changed.size())),
                    changed.size() > NAMED ? " and " + (changed.size() - NAMED) + " more" : "");
        }
        return changed;
    }

    private static void fix(Path path, Set<PosixFilePermission> wanted, List<Path> changed) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (now.stream().anyMatch(OTHERS::contains)) {
            Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
            owner.addAll(now);
            owner.removeAll(OTHERS);
            owner.addAll(wanted.equals(DIRECTORY) ? DIRECTORY : EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
            Files.setPosixFilePermissions(path, owner);
            changed.add(path);
        }
    }
}
