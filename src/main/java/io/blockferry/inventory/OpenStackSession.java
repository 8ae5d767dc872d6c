package io.blockferry.inventory;

import java.net.URL;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.client.IOSClientBuilder;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;

/**
 * A project-scoped Keystone v3 token with its service catalog. openstack4j binds a client to the
 * thread that authenticated, so other threads take their own client from {@link #client()}.
 */
public final class OpenStackSession {

    /**
     * Compute 2.26 is the first microversion that returns server tags; openstack4j's Server model
     * breaks from 2.47. The volume entry is required: Cinder Zed answers 400 "API version None" to
     * any OpenStack-API-Version header without one.
     */
    public static final String API_VERSIONS = "compute 2.26, volume 3.0";
    static final Map<String, String> API_VERSION_HEADERS = Map.of("OpenStack-API-Version", API_VERSIONS);

    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int READ_TIMEOUT_MS = 60_000;

    private final OpenStackSettings settings;
    private final Token token;
    private final Config config;
    private final SSLContext sslContext;

    private OpenStackSession(OpenStackSettings settings, Token token, Config config, SSLContext sslContext) {
        this.settings = settings;
        this.token = token;
        this.config = config;
        this.sslContext = sslContext;
    }

    /**
     * Authenticates with the password and scopes the token to the configured project.
     *
     * @throws OpenStackException naming the URL, user and domain when Keystone refuses or is down
     */
    public static OpenStackSession authenticate(OpenStackSettings settings) {
        SSLContext sslContext = TlsTrust.sslContext(settings);
        Config config = Config.newConfig().withConnectionTimeout(CONNECT_TIMEOUT_MS).withReadTimeout(READ_TIMEOUT_MS);
        if (sslContext != null) {
            config = config.withSSLContext(sslContext);
        }
        if (settings.insecure()) {
            config = config.withSSLVerificationDisabled();
        }
        try {
            IOSClientBuilder.V3 builder = OSFactory.builderV3()
                    .endpoint(settings.authUrlWithoutSlash())
                    .credentials(settings.username(), settings.password(), identifier(settings.userDomain()))
                    .perspective(facing(settings))
                    .withConfig(config);
            if (settings.project() != null && settings.projectDomain() != null) {
                builder.scopeToProject(identifier(settings.project()), identifier(settings.projectDomain()));
            } else if (settings.project() != null) {
                builder.scopeToProject(identifier(settings.project()));
            }
            OSClientV3 client = builder.authenticate();
            return new OpenStackSession(settings, client.getToken(), config, sslContext);
        } catch (AuthenticationException e) {
            throw new OpenStackException("Keystone refused " + settings.describe() + " for "
                    + settings.scope() + " (HTTP " + e.getStatus()
                    + "): check OS_PASSWORD, OS_USERNAME, OS_USER_DOMAIN_NAME, OS_PROJECT_NAME and the user's role"
                    + " on the project", e.getStatus());
        } catch (ConnectionException e) {
            throw new OpenStackException("Keystone at " + settings.authUrl() + " did not answer (" + e.getStatus()
                    + "): check OS_AUTH_URL and that Keystone runs", e.getStatus());
        } catch (ResponseException e) {
            throw new OpenStackException("Keystone at " + settings.authUrl() + " failed to authenticate "
                    + settings.describe() + " (HTTP " + e.getStatus() + ")", e.getStatus());
        } catch (RuntimeException e) {
            // openstack4j wraps a refused connection in various runtime exceptions; the message of the
            // root cause is safe (a socket error), the exception chain is not (it may hold the request).
            throw new OpenStackException("Keystone at " + settings.authUrl() + " did not answer for "
                    + settings.describe() + ": " + rootMessage(e) + ": check OS_AUTH_URL and that Keystone runs", 0);
        }
    }

    /**
     * An openstack4j client for the calling thread, sharing this token. It sends the microversion
     * header and uses the configured region and interface.
     */
    public OSClientV3 client() {
        OSClientV3 client = OSFactory.clientFromToken(token, facing(settings), config);
        if (settings.region() != null) {
            client.useRegion(settings.region());
        }
        return client.headers(API_VERSION_HEADERS);
    }

    /**
     * The catalog URL of a service type (compute, volumev3, image, identity) for the configured
     * region and interface, without a trailing slash.
     */
    public String endpoint(String serviceType) {
        for (Service service : token.getCatalog()) {
            if (!serviceType.equals(service.getType())) {
                continue;
            }
            for (Endpoint endpoint : service.getEndpoints()) {
                if (endpoint.getIface() == facing(settings) && regionMatches(endpoint)) {
                    String url = urlOf(endpoint.getUrl());
                    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
                }
            }
        }
        throw new OpenStackException("the service catalog of " + settings.describe() + " has no "
                + settings.endpointInterface().name().toLowerCase() + " endpoint of type '" + serviceType + "'"
                + (settings.region() == null ? "" : " in region " + settings.region())
                + ": check OS_REGION_NAME and OS_INTERFACE", 0);
    }

    /** The scoped project's id, or null for an unscoped token. */
    public String projectId() {
        return token.getProject() == null ? null : token.getProject().getId();
    }

    /** The scoped project with its domain as the token names them, or null for an unscoped token. */
    public Project project() {
        var project = token.getProject();
        if (project == null) {
            return null;
        }
        var domain = project.getDomain();
        return new Project(project.getId(), project.getName(), domain == null ? project.getDomainId() : domain.getId(),
                domain == null ? null : domain.getName());
    }

    public String userId() {
        return token.getUser().getId();
    }

    /** The id of the domain the user belongs to (the token always names it). */
    public String userDomainId() {
        var user = token.getUser();
        return user.getDomain() == null ? user.getDomainId() : user.getDomain().getId();
    }

    public Instant expiresAt() {
        return token.getExpires().toInstant();
    }

    /** For our own JSON requests only; never log it. */
    String tokenId() {
        return token.getId();
    }

    SSLContext sslContext() {
        return sslContext;
    }

    OpenStackSettings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "OpenStackSession[" + settings.describe() + ", " + settings.scope() + ", expires " + expiresAt() + "]";
    }

    private boolean regionMatches(Endpoint endpoint) {
        String region = settings.region();
        return region == null || region.equals(endpoint.getRegion()) || region.equals(endpoint.getRegionId());
    }

    private static String urlOf(URL url) {
        return url.toString();
    }

    private static Facing facing(OpenStackSettings settings) {
        return switch (settings.endpointInterface()) {
            case PUBLIC -> Facing.PUBLIC;
            case INTERNAL -> Facing.INTERNAL;
            case ADMIN -> Facing.ADMIN;
        };
    }

    private static Identifier identifier(NameOrId ref) {
        return ref.isId() ? Identifier.byId(ref.value()) : Identifier.byName(ref.value());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }
}
