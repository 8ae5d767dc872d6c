package io.blockferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for a test, made with the JDK's keytool in a directory: a CA, and PKCS12 key stores
 * of certificates it signed for 127.0.0.1, plus trust stores. The store password is random and
 * reaches keytool through its environment, never its command line.
 */
public final class TestPki {

    public final Path dir;
    public final String password;

    private TestPki(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** A new CA in {@code dir} (ca.p12, ca.pem) named {@code name}. */
    public static TestPki create(Path dir, String name) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        TestPki pki = new TestPki(dir, HexFormat.of().formatHex(random));
        pki.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=" + name, "-keyalg", "RSA", "-keysize", "2048",
                "-ext", "bc:c", "-validity", "2", "-keystore", pki.file("ca.p12"), "-storetype", "PKCS12");
        pki.keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", pki.file("ca.p12"), "-file", pki.file("ca.pem"));
        return pki;
    }

    /** A PKCS12 trust store holding this CA's certificate. */
    public Path truststore(String name) {
        Path store = dir.resolve(name + ".p12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", store.toString(),
                "-storetype", "PKCS12");
        return store;
    }

    /** A PKCS12 key store with a key and a certificate for 127.0.0.1 and localhost signed by this CA. */
    public Path keystore(String name) {
        Path store = dir.resolve(name + ".p12");
        String csr = file(name + ".csr");
        String pem = file(name + ".pem");
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12");
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-file", csr);
        keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-infile", csr, "-outfile", pem, "-rfc",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", store.toString());
        keytool("-importcert", "-noprompt", "-alias", name, "-file", pem, "-keystore", store.toString());
        return store;
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        boolean store = command.contains("-keystore");
        if (store) {
            command.addAll(List.of("-storepass:env", "TEST_PKI_PASSWORD"));
        }
        if (command.contains("-genkeypair")) {
            command.addAll(List.of("-keypass:env", "TEST_PKI_PASSWORD"));
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("TEST_PKI_PASSWORD", password);
            Process p = builder.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Files in {@code dir}, for a failure message. */
    public List<Path> files() throws IOException {
        try (var list = Files.list(dir)) {
            return list.toList();
        }
    }
}
