package io.blockferry.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.blockferry.store.OwnerOnly;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Checks the REST API's bearer token. No request, read or write, is served without it. */
public final class ApiAccess {

    private final byte[] token;

    private ApiAccess(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** The configured token, or a random one written to {@code tokenFile} (owner-only) when none is configured. */
    public static ApiAccess of(String configured, Path tokenFile) {
        if (configured != null && !configured.isBlank()) {
            return new ApiAccess(configured.trim());
        }
        try {
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                OwnerOnly.createDirectories(tokenFile.toAbsolutePath().getParent());
                // made 0600 before the token is in it, never chmod-ed after
                Path fresh = tokenFile.resolveSibling(tokenFile.getFileName() + ".new");
                Files.deleteIfExists(fresh);
                OwnerOnly.createFile(fresh);
                Files.writeString(fresh, HexFormat.of().formatHex(random) + "\n");
                Files.move(fresh, tokenFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                OwnerOnly.tighten(tokenFile);
            }
            return new ApiAccess(Files.readString(tokenFile).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the API token file " + tokenFile, e);
        }
    }

    /** The token itself, for the credential of the management server's Jolokia (never logged). */
    String secret() {
        return new String(token, StandardCharsets.UTF_8);
    }

    /** @throws ApiException 401 unless the header is "Bearer" and the token */
    public void check(String authorization) {
        String prefix = "Bearer ";
        byte[] offered = authorization != null && authorization.startsWith(prefix)
                ? authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(offered, token)) {
            throw new ApiException(401, "missing or wrong API token: send 'Authorization: Bearer TOKEN' with the "
                    + "token of blockferry.api.token (or the file DATA_DIR/api-token)");
        }
    }
}
