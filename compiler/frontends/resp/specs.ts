// The Redis command table as data: every command's signature in Redis's documented syntax notation.
//
// Format (parsed once at start-up by command-syntax.ohm): `@group` starts a group; each command line is
// `NAME args ; flags ; keys first last step`. Arity is derived from the signature (required arguments,
// negative when optional or repeated ones exist), so it cannot drift from the syntax.

/** The command table text. */
export const COMMAND_SPECS = `
@string
GET key ; readonly fast ; keys 1 1 1
SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] ; write denyoom ; keys 1 1 1
SETNX key value ; write denyoom fast ; keys 1 1 1
SETEX key seconds value ; write denyoom ; keys 1 1 1
PSETEX key milliseconds value ; write denyoom ; keys 1 1 1
GETSET key value ; write denyoom fast ; keys 1 1 1
GETDEL key ; write fast ; keys 1 1 1
GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] ; write fast ; keys 1 1 1
MGET key [key ...] ; readonly fast ; keys 1 -1 1
MSET key value [key value ...] ; write denyoom ; keys 1 -1 2
MSETNX key value [key value ...] ; write denyoom ; keys 1 -1 2
APPEND key value ; write denyoom fast ; keys 1 1 1
STRLEN key ; readonly fast ; keys 1 1 1
GETRANGE key start end ; readonly ; keys 1 1 1
SETRANGE key offset value ; write denyoom ; keys 1 1 1
INCR key ; write denyoom fast ; keys 1 1 1
INCRBY key increment ; write denyoom fast ; keys 1 1 1
INCRBYFLOAT key increment ; write denyoom fast ; keys 1 1 1
DECR key ; write denyoom fast ; keys 1 1 1
DECRBY key decrement ; write denyoom fast ; keys 1 1 1

@bitmap
SETBIT key offset value ; write denyoom ; keys 1 1 1
GETBIT key offset ; readonly fast ; keys 1 1 1
BITCOUNT key [start end [BYTE | BIT]] ; readonly ; keys 1 1 1
BITPOS key bit [start [end [BYTE | BIT]]] ; readonly ; keys 1 1 1
BITOP <AND | OR | XOR | NOT> destkey key [key ...] ; write denyoom ; keys 2 -1 1

@generic
DEL key [key ...] ; write ; keys 1 -1 1
UNLINK key [key ...] ; write fast ; keys 1 -1 1
EXISTS key [key ...] ; readonly fast ; keys 1 -1 1
TYPE key ; readonly fast ; keys 1 1 1
KEYS pattern ; readonly
SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] ; readonly
RENAME key newkey ; write ; keys 1 2 1
RENAMENX key newkey ; write fast ; keys 1 2 1
RANDOMKEY ; readonly
COPY source destination [DB destination-db] [REPLACE] ; write denyoom ; keys 1 2 1
TOUCH key [key ...] ; readonly fast ; keys 1 -1 1
EXPIRE key seconds [NX | XX | GT | LT] ; write fast ; keys 1 1 1
PEXPIRE key milliseconds [NX | XX | GT | LT] ; write fast ; keys 1 1 1
EXPIREAT key unix-time-seconds [NX | XX | GT | LT] ; write fast ; keys 1 1 1
PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] ; write fast ; keys 1 1 1
EXPIRETIME key ; readonly fast ; keys 1 1 1
PEXPIRETIME key ; readonly fast ; keys 1 1 1
TTL key ; readonly fast ; keys 1 1 1
PTTL key ; readonly fast ; keys 1 1 1
PERSIST key ; write fast ; keys 1 1 1
OBJECT|ENCODING key ; readonly ; keys 2 2 1
OBJECT|FREQ key ; readonly ; keys 2 2 1
OBJECT|IDLETIME key ; readonly ; keys 2 2 1
OBJECT|REFCOUNT key ; readonly ; keys 2 2 1
OBJECT|HELP ; loading stale

@hash
HSET key field value [field value ...] ; write denyoom fast ; keys 1 1 1
HSETNX key field value ; write denyoom fast ; keys 1 1 1
HGET key field ; readonly fast ; keys 1 1 1
HMSET key field value [field value ...] ; write denyoom fast ; keys 1 1 1
HMGET key field [field ...] ; readonly fast ; keys 1 1 1
HGETALL key ; readonly ; keys 1 1 1
HDEL key field [field ...] ; write fast ; keys 1 1 1
HEXISTS key field ; readonly fast ; keys 1 1 1
HLEN key ; readonly fast ; keys 1 1 1
HKEYS key ; readonly ; keys 1 1 1
HVALS key ; readonly ; keys 1 1 1
HSTRLEN key field ; readonly fast ; keys 1 1 1
HINCRBY key field increment ; write denyoom fast ; keys 1 1 1
HINCRBYFLOAT key field increment ; write denyoom fast ; keys 1 1 1
HSCAN key cursor [MATCH pattern] [COUNT count] ; readonly ; keys 1 1 1
HRANDFIELD key [count [WITHVALUES]] ; readonly ; keys 1 1 1

@list
LPUSH key element [element ...] ; write denyoom fast ; keys 1 1 1
RPUSH key element [element ...] ; write denyoom fast ; keys 1 1 1
LPUSHX key element [element ...] ; write denyoom fast ; keys 1 1 1
RPUSHX key element [element ...] ; write denyoom fast ; keys 1 1 1
LPOP key [count] ; write fast ; keys 1 1 1
RPOP key [count] ; write fast ; keys 1 1 1
LLEN key ; readonly fast ; keys 1 1 1
LRANGE key start stop ; readonly ; keys 1 1 1
LINDEX key index ; readonly ; keys 1 1 1
LSET key index element ; write denyoom ; keys 1 1 1
LINSERT key <BEFORE | AFTER> pivot element ; write denyoom ; keys 1 1 1
LREM key count element ; write ; keys 1 1 1
LTRIM key start stop ; write ; keys 1 1 1
LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] ; readonly ; keys 1 1 1
LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> ; write denyoom ; keys 1 2 1
RPOPLPUSH source destination ; write denyoom ; keys 1 2 1
LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count] ; write movablekeys
BLPOP key [key ...] timeout ; write blocking ; keys 1 -2 1
BRPOP key [key ...] timeout ; write blocking ; keys 1 -2 1
BLMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout ; write denyoom blocking ; keys 1 2 1
BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count] ; write blocking movablekeys

@set
SADD key member [member ...] ; write denyoom fast ; keys 1 1 1
SREM key member [member ...] ; write fast ; keys 1 1 1
SMEMBERS key ; readonly ; keys 1 1 1
SISMEMBER key member ; readonly fast ; keys 1 1 1
SMISMEMBER key member [member ...] ; readonly fast ; keys 1 1 1
SCARD key ; readonly fast ; keys 1 1 1
SPOP key [count] ; write fast ; keys 1 1 1
SRANDMEMBER key [count] ; readonly ; keys 1 1 1
SMOVE source destination member ; write fast ; keys 1 2 1
SINTER key [key ...] ; readonly ; keys 1 -1 1
SINTERCARD numkeys key [key ...] [LIMIT limit] ; readonly movablekeys
SUNION key [key ...] ; readonly ; keys 1 -1 1
SDIFF key [key ...] ; readonly ; keys 1 -1 1
SINTERSTORE destination key [key ...] ; write denyoom ; keys 1 -1 1
SUNIONSTORE destination key [key ...] ; write denyoom ; keys 1 -1 1
SDIFFSTORE destination key [key ...] ; write denyoom ; keys 1 -1 1
SSCAN key cursor [MATCH pattern] [COUNT count] ; readonly ; keys 1 1 1

@sorted-set
ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...] ; write denyoom fast ; keys 1 1 1
ZINCRBY key increment member ; write denyoom fast ; keys 1 1 1
ZREM key member [member ...] ; write fast ; keys 1 1 1
ZSCORE key member ; readonly fast ; keys 1 1 1
ZMSCORE key member [member ...] ; readonly fast ; keys 1 1 1
ZCARD key ; readonly fast ; keys 1 1 1
ZCOUNT key min max ; readonly fast ; keys 1 1 1
ZLEXCOUNT key min max ; readonly fast ; keys 1 1 1
ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES] ; readonly ; keys 1 1 1
ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] ; write denyoom ; keys 1 2 1
ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] ; readonly ; keys 1 1 1
ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] ; readonly ; keys 1 1 1
ZRANGEBYLEX key min max [LIMIT offset count] ; readonly ; keys 1 1 1
ZREVRANGEBYLEX key max min [LIMIT offset count] ; readonly ; keys 1 1 1
ZREVRANGE key start stop [WITHSCORES] ; readonly ; keys 1 1 1
ZRANK key member [WITHSCORE] ; readonly fast ; keys 1 1 1
ZREVRANK key member [WITHSCORE] ; readonly fast ; keys 1 1 1
ZPOPMIN key [count] ; write fast ; keys 1 1 1
ZPOPMAX key [count] ; write fast ; keys 1 1 1
BZPOPMIN key [key ...] timeout ; write blocking fast ; keys 1 -2 1
BZPOPMAX key [key ...] timeout ; write blocking fast ; keys 1 -2 1
ZREMRANGEBYRANK key start stop ; write ; keys 1 1 1
ZREMRANGEBYSCORE key min max ; write ; keys 1 1 1
ZREMRANGEBYLEX key min max ; write ; keys 1 1 1
ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] ; write denyoom movablekeys ; keys 1 1 1
ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] ; write denyoom movablekeys ; keys 1 1 1
ZDIFFSTORE destination numkeys key [key ...] ; write denyoom movablekeys ; keys 1 1 1
ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES] ; readonly movablekeys
ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES] ; readonly movablekeys
ZDIFF numkeys key [key ...] [WITHSCORES] ; readonly movablekeys
ZRANDMEMBER key [count [WITHSCORES]] ; readonly ; keys 1 1 1
ZSCAN key cursor [MATCH pattern] [COUNT count] ; readonly ; keys 1 1 1

@hyperloglog
PFADD key [element [element ...]] ; write denyoom fast ; keys 1 1 1
PFCOUNT key [key ...] ; readonly ; keys 1 -1 1
PFMERGE destkey [sourcekey [sourcekey ...]] ; write denyoom ; keys 1 -1 1

@pubsub
SUBSCRIBE channel [channel ...] ; pubsub noscript loading stale
UNSUBSCRIBE [channel [channel ...]] ; pubsub noscript loading stale
PSUBSCRIBE pattern [pattern ...] ; pubsub noscript loading stale
PUNSUBSCRIBE [pattern [pattern ...]] ; pubsub noscript loading stale
PUBLISH channel message ; pubsub loading stale fast
PUBSUB|CHANNELS [pattern] ; pubsub loading stale
PUBSUB|NUMSUB [channel [channel ...]] ; pubsub loading stale
PUBSUB|NUMPAT ; pubsub loading stale

@transactions
MULTI ; noscript loading stale fast allow_busy
EXEC ; noscript loading stale skip_slowlog
DISCARD ; noscript loading stale fast allow_busy
WATCH key [key ...] ; noscript loading stale fast allow_busy ; keys 1 -1 1
UNWATCH ; noscript loading stale fast allow_busy

@connection
PING [message] ; fast
ECHO message ; fast
HELLO [protover [AUTH username password] [SETNAME clientname]] ; noscript loading stale fast no_auth
AUTH [username] password ; noscript loading stale fast no_auth
SELECT index ; loading stale fast
SWAPDB index1 index2 ; write fast
QUIT ; noscript loading stale fast no_auth allow_busy
RESET ; noscript loading stale fast no_auth allow_busy
CLIENT|ID ; noscript loading stale
CLIENT|SETNAME connection-name ; noscript loading stale
CLIENT|GETNAME ; noscript loading stale
CLIENT|LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]] ; admin noscript loading stale
CLIENT|INFO ; noscript loading stale
CLIENT|KILL [ip-port] [ID client-id] [TYPE client-type] [USER username] [ADDR addr] [LADDR laddr] [SKIPME <YES | NO>] ; admin noscript loading stale
CLIENT|NO-EVICT <ON | OFF> ; admin noscript loading stale

@server
DBSIZE ; readonly fast
FLUSHDB [ASYNC | SYNC] ; write
FLUSHALL [ASYNC | SYNC] ; write
INFO [section [section ...]] ; loading stale
TIME ; loading stale fast
CONFIG|GET parameter [parameter ...] ; admin noscript loading stale
CONFIG|SET parameter value [parameter value ...] ; admin noscript loading stale
LASTSAVE ; loading stale fast
SAVE ; admin noscript
BGSAVE [SCHEDULE] ; admin noscript
COMMAND ; loading stale
COMMAND|COUNT ; loading stale
COMMAND|INFO [command-name [command-name ...]] ; loading stale
COMMAND|DOCS [command-name [command-name ...]] ; loading stale
`;
