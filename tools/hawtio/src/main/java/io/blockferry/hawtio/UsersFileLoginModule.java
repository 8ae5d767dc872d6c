package io.blockferry.hawtio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

/**
 * The JAAS login module behind Hawtio's login form (HAWTIO_USERS): a users file whose lines are
 * {@code name: password,role,...}, read at each login, so edits apply at once. Jetty's own
 * property-file module only works inside a Jetty JAAS login service, which Hawtio does not use.
 */
public final class UsersFileLoginModule implements LoginModule {

    private Subject subject;
    private CallbackHandler handler;
    private Path file;
    private final Set<Principal> principals = new HashSet<>();

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.handler = handler;
        this.file = Path.of(String.valueOf(options.get("file")));
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user");
        PasswordCallback password = new PasswordCallback("password", false);
        try {
            handler.handle(new Callback[] {name, password});
            char[] typed = password.getPassword() == null ? new char[0] : password.getPassword();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (line.isBlank() || line.strip().startsWith("#") || colon < 0
                        || !line.substring(0, colon).strip().equals(name.getName())) {
                    continue;
                }
                String[] fields = line.substring(colon + 1).split(",");
                if (MessageDigest.isEqual(fields[0].strip().getBytes(StandardCharsets.UTF_8),
                        new String(typed).getBytes(StandardCharsets.UTF_8))) {
                    principals.add(new User(name.getName()));
                    for (int i = 1; i < fields.length; i++) {
                        principals.add(new Role(fields[i].strip()));
                    }
                    return true;
                }
            }
        } catch (IOException | UnsupportedCallbackException e) {
            throw new LoginException("cannot check the login against " + file + ": " + e.getMessage());
        } finally {
            password.clearPassword();
        }
        throw new FailedLoginException("wrong user name or password");
    }

    @Override
    public boolean commit() {
        subject.getPrincipals().addAll(principals);
        return true;
    }

    @Override
    public boolean abort() {
        principals.clear();
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(principals);
        principals.clear();
        return true;
    }

    /** The logged-in user. */
    public static final class User extends Named {
        public User(String name) {
            super(name);
        }
    }

    /** A role of the logged-in user; Hawtio requires the role {@code admin}. */
    public static final class Role extends Named {
        public Role(String name) {
            super(name);
        }
    }

    private abstract static class Named implements Principal {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean equals(Object other) {
            return other != null && other.getClass() == getClass() && ((Named) other).name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + "(" + name + ")";
        }
    }
}
