-- An app that is not the one the kit was extracted from: an inventory.
--! contract
CREATE TABLE items (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku  text   NOT NULL UNIQUE,
    name text   NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
);
