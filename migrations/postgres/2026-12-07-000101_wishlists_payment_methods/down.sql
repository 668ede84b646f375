DROP TABLE payment_methods;
DROP TABLE wishlist_items;
DROP TABLE wishlists;
