package org.screamrouter.sip.auth;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The users digest authentication knows ({@code auth.users.file}), for the operator's shell
 * commands. The file holds H(A1) hashes for MD5 and SHA-256, never a password; passwords pass through
 * {@link #setPassword} only to be hashed.
 */
@ProviderType
public interface SipCredentials {
    /**
     * A user: its name, and the addresses-of-record besides {@code sip:<name>@<domain>} it may register (e.g. a
     * device's {@code sip:<uuid>@<domain>}).
     */
    record User(String name, List<String> extraAddressesOfRecord) {
        public User {
            extraAddressesOfRecord = List.copyOf(extraAddressesOfRecord);
        }
    }

    /** The realm the hashes are computed for. */
    String realm();

    /** Every user of the file, ordered by name. */
    List<User> users();

    Optional<User> user(String name);

    /**
     * Adds the user or replaces its hashes (computed here for the current realm), and adds the given extra
     * addresses-of-record to those it already has. The file is replaced atomically; the password is not kept.
     *
     * @throws IllegalArgumentException for a name with white space, {@code #} or control characters, or an
     *                                  address-of-record that is not a SIP URI
     */
    void setPassword(String name, char[] password, Collection<String> extraAddressesOfRecord) throws IOException;

    /** Removes the user from the file; false if there was none. */
    boolean remove(String name) throws IOException;
}
