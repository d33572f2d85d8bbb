-- Builds of schema 1 keep working: they never write SKUs longer than 20 characters.
--! expand
--! refuse-if-rows: every item needs a SKU of at most 20 characters first
SELECT sku FROM items WHERE length(sku) > 20;
ALTER TABLE items ADD CONSTRAINT items_sku_length CHECK (length(sku) <= 20);
CREATE TABLE stock (
    item_id  bigint NOT NULL REFERENCES items (id),
    quantity int    NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (item_id)
);
