-- expect: 3: sorted_pairs: cannot order a key of type table
-- Table keys have no order.
for k, v in sorted_pairs({ [{}] = 1 }) do end
