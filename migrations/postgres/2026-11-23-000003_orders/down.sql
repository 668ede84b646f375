DROP TABLE events;
DROP TABLE line_items;
DROP TABLE orders;
