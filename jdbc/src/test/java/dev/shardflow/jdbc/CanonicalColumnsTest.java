package dev.shardflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanonicalColumnsTest {

    @Test
    void aJsonDocumentIsOneTextWhicheverEngineKeptIt() {
        String mariadb = "{\"name\":\"zoë\", \"tags\" : [1, \"t2\", null, true],\"id\": 7, \"nested\": {\"b\": false, \"a\": []}}";
        String jsonb = "{\"id\": 7, \"name\": \"zoë\", \"tags\": [1, \"t2\", null, true], \"nested\": {\"a\": [], \"b\": false}}";
        assertThat(CanonicalColumns.json(mariadb)).isEqualTo(CanonicalColumns.json(jsonb))
                .isEqualTo("{\"id\":7,\"name\":\"zoë\",\"nested\":{\"a\":[],\"b\":false},\"tags\":[1,\"t2\",null,true]}");
    }

    @Test
    void aDifferentDocumentStaysDifferentAndTextThatIsNotJsonIsLeftAlone() {
        assertThat(CanonicalColumns.json("{\"a\": [1, 2]}")).isNotEqualTo(CanonicalColumns.json("{\"a\": [2, 1]}"));
        assertThat(CanonicalColumns.json("{\"a\": 1.50}")).isNotEqualTo(CanonicalColumns.json("{\"a\": 1.5}"));
        assertThat(CanonicalColumns.json("not { json")).isEqualTo("not { json");
        assertThat(CanonicalColumns.json(null)).isNull();
    }
}
