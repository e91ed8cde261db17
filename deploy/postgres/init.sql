-- Run once, when the PostgreSQL volume is first created: Rasa's tracker store gets a database of
-- its own next to the shop database (POSTGRES_DB), owned by the same user.
CREATE DATABASE rasa;
