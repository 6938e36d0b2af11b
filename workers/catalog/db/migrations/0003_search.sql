-- Full-text search over products (SQLite FTS5): title, brand, description and attribute values, accents folded
-- (remove_diacritics 2), prefixes of 2 and 3 characters indexed for fast prefix queries. The index row of a
-- product is its rowid in `products`; triggers keep it in step in the same transaction as every product or
-- attribute write, so search never sees a product other than as it is.
CREATE VIRTUAL TABLE `products_fts` USING fts5(title, brand, description, attrs, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
--> statement-breakpoint
INSERT INTO `products_fts` (rowid, title, brand, description, attrs)
  SELECT p.rowid, p.title, p.brand, p.description,
    COALESCE((SELECT group_concat(a.value, ' ') FROM product_attributes a WHERE a.product_id = p.id), '')
  FROM products p;
--> statement-breakpoint
CREATE TRIGGER `products_fts_insert` AFTER INSERT ON `products` BEGIN
  INSERT INTO products_fts (rowid, title, brand, description, attrs)
    VALUES (new.rowid, new.title, new.brand, new.description,
      COALESCE((SELECT group_concat(value, ' ') FROM product_attributes WHERE product_id = new.id), ''));
END;
--> statement-breakpoint
CREATE TRIGGER `products_fts_update` AFTER UPDATE OF title, brand, description ON `products` BEGIN
  UPDATE products_fts SET title = new.title, brand = new.brand, description = new.description WHERE rowid = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `products_fts_delete` AFTER DELETE ON `products` BEGIN
  DELETE FROM products_fts WHERE rowid = old.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `product_attributes_fts_insert` AFTER INSERT ON `product_attributes` BEGIN
  UPDATE products_fts SET attrs = (SELECT group_concat(value, ' ') FROM product_attributes WHERE product_id = new.product_id)
    WHERE rowid = (SELECT rowid FROM products WHERE id = new.product_id);
END;
--> statement-breakpoint
CREATE TRIGGER `product_attributes_fts_update` AFTER UPDATE ON `product_attributes` BEGIN
  UPDATE products_fts SET attrs = (SELECT group_concat(value, ' ') FROM product_attributes WHERE product_id = new.product_id)
    WHERE rowid = (SELECT rowid FROM products WHERE id = new.product_id);
END;
--> statement-breakpoint
CREATE TRIGGER `product_attributes_fts_delete` AFTER DELETE ON `product_attributes` BEGIN
  UPDATE products_fts SET attrs = COALESCE((SELECT group_concat(value, ' ') FROM product_attributes WHERE product_id = old.product_id), '')
    WHERE rowid = (SELECT rowid FROM products WHERE id = old.product_id);
END;
