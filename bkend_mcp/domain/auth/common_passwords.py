"""Passwords that appear at the top of every public breach corpus, for `auth/weak-password` (spec/auth.md §4.1).

Only entries of at least 6 characters matter (the shortest allowed policy); comparison is case-insensitive.
A deployment that wants the full top-10k list can extend `COMMON` at start-up; no network call is ever made.
"""

from __future__ import annotations

COMMON: frozenset[str] = frozenset(
    """
123456 123456789 12345678 1234567890 1234567 12345678910 123123 123321 654321 666666 111111 000000 121212 112233
987654321 123654 159753 147258369 123qwe 1q2w3e4r 1q2w3e4r5t 1q2w3e 1qaz2wsx qwerty qwerty123 qwertyuiop qwerty1
qwe123 asdfgh asdfghjkl zxcvbnm zxcvbn 1qazxsw2 qazwsx password password1 password12 password123 password! passw0rd
p@ssword p@ssw0rd pa$$word passwort motdepasse contraseña senha123 iloveyou iloveyou1 princess sunshine letmein
letmein1 welcome welcome1 welcome123 monkey dragon football baseball basketball soccer hockey superman batman
starwars pokemon master master123 shadow michael jennifer jordan23 charlie robert thomas daniel andrew jessica
ashley michelle nicole hunter hunter2 freedom whatever trustno1 secret secret123 admin123 administrator
adminadmin root1234 changeme changeme123 default guest123 test123 test1234 testtest abc123 abc12345 abcdef
abcd1234 aa123456 a123456 a12345678 q1w2e3r4 q1w2e3r4t5 zaq12wsx zaq1zaq1 1password 11111111 00000000 12341234
11223344 22222222 88888888 99999999 55555555 123123123 7777777 6666666 1111111 computer internet samsung
google apple123 microsoft linkedin facebook twitter instagram youtube minecraft fortnite roblox summer
summer2024 summer2025 winter spring autumn january february december monday friday sunday loveme lovely
mylove babygirl butterfly flower chocolate cookie cheese pepper ginger orange banana purple yellow silver
golden diamond killer ninja pirate matrix mustang ferrari porsche corvette harley yankees cowboys eagles
liverpool chelsea arsenal barcelona madrid juventus killer1 hello123 hello1234 hellohello 1234qwer qwer1234
asdf1234 zxcv1234 asdasd asdasd123 qweqwe qweasd qweasdzxc 147258 159357 741852963 789456123 987654 456789
102030 101010 202020 696969 12qwaszx 123abc abc123456 iloveu 5201314 woaini 1314520 naruto sakura tinkerbell
""".split()
)
