DROP TABLE balance_movements;
DROP TABLE order_payments;
DROP TABLE gift_cards;
DROP TABLE store_credits;
