package org.screamrouter.sip.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {
    private static final String MD5 = "0123456789abcdef0123456789abcdef";
    private static final String SHA = "0123456789abcdef".repeat(4);
    @TempDir
    Path dir;

    @Test
    void parsesUsersCommentsAndExtraAorsAndSkipsMalformedLines() {
        Map<String, UsersFile.Entry> users = UsersFile.parse(List.of(
                "# a comment",
                "",
                "alice " + MD5 + " " + SHA.toUpperCase() + "   # Alice's phone",
                "dev\t" + MD5 + " " + SHA + " <sip:Uuid-1@ScreamRouter.Local:5060;transport=udp> sips:x@[::1]:5061",
                "short " + MD5,
                "badmd5 " + MD5.substring(1) + " " + SHA,
                "badsha " + MD5 + " " + SHA + "0",
                "badaor " + MD5 + " " + SHA + " tel:+123",
                "alice " + MD5 + " " + SHA + " sip:again@x"), "test");
        assertThat(users.keySet()).containsExactlyInAnyOrder("alice", "dev");
        assertThat(users.get("alice").sha256Ha1()).isEqualTo(SHA);
        assertThat(users.get("alice").extraAors()).isEmpty();
        assertThat(users.get("dev").extraAors()).containsExactly("sip:Uuid-1@screamrouter.local", "sips:x@[::1]");
        assertThat(users.get("dev").toString()).doesNotContain(MD5);
    }

    @Test
    void aChangedFileIsReadAgainAndAGoneFileMeansNoUser() throws Exception {
        Path file = dir.resolve("users");
        UsersFile users = new UsersFile(file);
        assertThat(users.refresh()).isTrue();
        assertThat(users.users()).isEmpty();
        Files.writeString(file, "alice " + MD5 + " " + SHA + "\n");
        assertThat(users.refresh()).isTrue();
        assertThat(users.users()).containsOnlyKeys("alice");
        assertThat(users.refresh()).as("unchanged").isFalse();
        Files.writeString(file, "bob " + MD5 + " " + SHA + "\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(users.refresh()).isTrue();
        assertThat(users.users()).containsOnlyKeys("bob");
        Files.delete(file);
        assertThat(users.refresh()).isTrue();
        assertThat(users.users()).isEmpty();
    }

    @Test
    void putReplacesTheUsersLineKeepsOtherLinesAndAddsAors() throws Exception {
        Path file = dir.resolve("users");
        Files.writeString(file, "# header\nalice " + MD5 + " " + SHA + " sip:a1@h\nbob " + MD5 + " " + SHA + "\n");
        UsersFile users = new UsersFile(file);
        users.refresh();
        String md5b = "f".repeat(32);
        String shab = "e".repeat(64);
        users.put("alice", md5b, shab, List.of("sip:a2@H:5060"));
        users.put("carol", md5b, shab, List.of());
        assertThat(Files.readAllLines(file)).containsExactly("# header", "alice " + md5b + " " + shab + " sip:a1@h sip:a2@h",
                "bob " + MD5 + " " + SHA, "carol " + md5b + " " + shab);
        assertThat(users.users().get("alice").md5Ha1()).isEqualTo(md5b);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(users.remove("bob")).isTrue();
        assertThat(users.remove("bob")).isFalse();
        assertThat(users.users()).containsOnlyKeys("alice", "carol");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("users");
        assertThatThrownBy(() -> users.put("a b", md5b, shab, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> users.put("d", md5b, shab, List.of("mailto:x@y"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void canonicalAorDropsPortParametersAndBracketsAndLowersTheHost() {
        assertThat(UsersFile.canonicalAor("<sip:Bob@Example.COM:5070;transport=tcp?x=y>")).isEqualTo("sip:Bob@example.com");
        assertThat(UsersFile.canonicalAor("SIP:a%40b@h")).isEqualTo("sip:a@b@h");
        assertThat(UsersFile.canonicalAor("sip:example.com")).isNull();
        assertThat(UsersFile.canonicalAor("sip:@h")).isNull();
        assertThat(UsersFile.canonicalAor("tel:+1")).isNull();
    }
}
