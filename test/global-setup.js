// Every server a test starts inherits this owner tag, so the teardown can find any that outlived its test.
module.exports = async () => {
  process.env.KEELSON_SERVER_OWNER = `jest-${process.pid}`;
};
